using Google.Protobuf;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.UnitTests;

/// <summary>Alone: <see cref="DecoderBuffers"/> counts for the whole process, so no other test may decode meanwhile.</summary>
[CollectionDefinition(nameof(DecoderBufferGrowthTests), DisableParallelization = true)]
public sealed class DecoderBufferGrowthCollection;

/// <summary>A decoder's reusable memory grows to its largest batch once; batches no larger cost it nothing more.</summary>
[Collection(nameof(DecoderBufferGrowthTests))]
public sealed class DecoderBufferGrowthTests
{
    private static readonly FieldSelection Selection = FieldSelection.Of(TelemetryEvent.Descriptor,
        ["timestamp", "event.category", "event.id", "host.id", "process.name", "process.parent.executable"]);

    private static readonly byte[][] Payloads = [.. Enumerable.Range(0, 2_000).Select(i => new TelemetryEvent
    {
        Timestamp = 1_741_000_000_000_000_000 + i,
        Event = new Event { Id = "e-" + i, Category = { "process" } },
        Host = new Host { Id = "mac-" + (i % 7) },
        Process = new Process { Name = "curl", CommandLine = new string('x', 200), Parent = new Process { Executable = "/bin/zsh" } },
    }.ToByteArray())];

    [Fact]
    public void ADecoderGrowsToItsLargestBatchOnceAndNotAgainForBatchesNoLarger()
    {
        var parser = new SelectiveTelemetryParser(Selection);

        var before = DecoderBuffers.GrownBytes;
        Decode(parser, 500);
        var afterFirst = DecoderBuffers.GrownBytes;
        Decode(parser, 500);
        Decode(parser, 300);
        var afterSameSize = DecoderBuffers.GrownBytes;
        Decode(parser, 2_000);
        var afterLarger = DecoderBuffers.GrownBytes;
        Decode(parser, 2_000);
        Decode(parser, 500);

        Assert.True(afterFirst > before, "the first batch fills the decoder's pools and payload chunks");
        Assert.Equal(afterFirst, afterSameSize);
        Assert.True(afterLarger - afterSameSize > 1_000 * 200, "a batch four times larger grows them by at least its extra payloads");
        Assert.Equal(afterLarger, DecoderBuffers.GrownBytes);
    }

    [Fact]
    public void AnEventKeptPastItsBatchIsReplacedWithoutCountingAsGrowth()
    {
        var parser = new SelectiveTelemetryParser(Selection);
        Decode(parser, 500);
        var grown = DecoderBuffers.GrownBytes;

        // The keeper owns these now; the pool makes new messages in their place for the next batch.
        var kept = Decode(parser, 500, keep: 100);
        Decode(parser, 500);

        Assert.Equal(grown, DecoderBuffers.GrownBytes);
        Assert.All(kept, e => Assert.False(e.IsPartial));
    }

    private static List<TelemetryEvent> Decode(SelectiveTelemetryParser parser, int count, int keep = 0)
    {
        var kept = new List<TelemetryEvent>();
        for (var i = 0; i < count; i++)
        {
            var e = parser.Parse(Payloads[i]);
            if (i < keep)
            {
                e.Complete();
                kept.Add(e);
            }
        }

        parser.ReleasePayloads();
        return kept;
    }
}
