using Vigil.Contracts.Telemetry;
using Vigil.Testing;
using File = System.IO.File;

namespace Vigil.Agent.IntegrationTests;

/// <summary>The agent's disk buffer keeps order, survives reopening and stays within its bound.</summary>
public sealed class DiskBufferTests
{
    [Fact]
    public void EventsComeBackInOrderAndLeaveOnlyWhenDeleted()
    {
        using var directory = TemporaryDirectory.Create("vigil-buffer");
        using var buffer = new DiskBuffer(directory.Path, 1 << 20, 4096);
        buffer.Append(Events(0, 10));
        buffer.Append(Events(10, 5));

        var segment = buffer.Next()!;
        Assert.Equal(Enumerable.Range(0, 15).Select(Id), DiskBuffer.Read(segment).Select(e => e.Event.Id));
        buffer.Delete(segment);
        Assert.Null(buffer.Next());
        Assert.Equal(0, buffer.PendingBytes);
    }

    [Fact]
    public void ASegmentLeftOpenByACrashIsReadAfterReopeningAndATornLastRecordIsIgnored()
    {
        using var directory = TemporaryDirectory.Create("vigil-buffer");
        using (var buffer = new DiskBuffer(directory.Path, 1 << 20, 1 << 16))
        {
            buffer.Append(Events(0, 3));
        }

        var open = Assert.Single(Directory.GetFiles(directory.Path, "*.open"));
        File.AppendAllText(open, "\u0040\u0000\u0000\u0000partial");

        using var reopened = new DiskBuffer(directory.Path, 1 << 20, 1 << 16);
        Assert.Equal(["e0", "e1", "e2"], DiskBuffer.Read(reopened.Next()!).Select(e => e.Event.Id));
        reopened.Append(Events(3, 1));
        Assert.Equal(2, Directory.GetFiles(directory.Path).Length);
    }

    [Fact]
    public void AFullBufferDropsTheOldestSegmentsAndCountsTheirEvents()
    {
        using var directory = TemporaryDirectory.Create("vigil-buffer");
        using var buffer = new DiskBuffer(directory.Path, maxBytes: 8192, segmentBytes: 2048);
        for (var i = 0; i < 100; i++)
        {
            buffer.Append(Events(i * 10, 10));
        }

        Assert.True(buffer.PendingBytes <= 8192, $"{buffer.PendingBytes} bytes buffered");
        Assert.True(buffer.DroppedEvents > 0);
        var kept = new List<string>();
        while (buffer.Next() is { } segment)
        {
            kept.AddRange(DiskBuffer.Read(segment).Select(e => e.Event.Id));
            buffer.Delete(segment);
        }

        Assert.Equal(1000, kept.Count + buffer.DroppedEvents);
        Assert.Equal("e999", kept[^1]);
    }

    private static string Id(int i) => $"e{i}";

    private static List<TelemetryEvent> Events(int first, int count) =>
        Enumerable.Range(first, count).Select(i => new TelemetryEvent
        {
            Timestamp = 1_700_000_000_000_000_000 + i,
            Event = new Event { Id = Id(i), Action = "exec" },
            Host = new Host { Id = "MAC-1" },
            Process = new Process { Name = "tool", CommandLine = new string('x', 80) },
        }).ToList();
}
