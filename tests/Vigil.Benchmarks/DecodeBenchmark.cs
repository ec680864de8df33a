using System.Diagnostics;
using Vigil.Contracts.Telemetry;
using Vigil.SchemaRegistry;

namespace Vigil.Benchmarks;

/// <summary>
/// The decoder alone, in process, on the framed records the consumers read: what parsing the protobuf costs in CPU and
/// allocation, apart from Kafka and the consume loop; and which parts of an event carry its bytes.
/// </summary>
internal static class DecodeBenchmark
{
    public static BenchmarkResult Run(IReadOnlyList<TelemetryEvent> events)
    {
        var codec = new ProtobufRecordCodec<TelemetryEvent>(1);
        var framed = events.Select(codec.Encode).ToList();
        for (var pass = 0; pass < 3; pass++)
        {
            Decode(codec, framed);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        var cpu = Cpu();
        Decode(codec, framed);
        cpu = Cpu() - cpu;
        var elapsed = Stopwatch.GetElapsedTime(started);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        // The selective decoder as the services run it: released after every batch of 1,000, as the consume loop does.
        var selective = new SelectiveTelemetryCodec(DecodedFields.OfAllServices());
        for (var pass = 0; pass < 3; pass++)
        {
            DecodeSelectively(selective, framed);
        }

        // The least CPU of three passes: on a shared machine the others are the same work plus interference.
        var selectiveAllocated = GC.GetAllocatedBytesForCurrentThread();
        var selectiveStarted = Stopwatch.GetTimestamp();
        DecodeSelectively(selective, framed);
        var selectiveElapsed = Stopwatch.GetElapsedTime(selectiveStarted);
        selectiveAllocated = GC.GetAllocatedBytesForCurrentThread() - selectiveAllocated;
        var selectiveCpu = TimeSpan.MaxValue;
        for (var pass = 0; pass < 3; pass++)
        {
            var before = Cpu();
            DecodeSelectively(selective, framed);
            var spent = Cpu() - before;
            selectiveCpu = spent < selectiveCpu ? spent : selectiveCpu;
        }

        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            foreach (var field in TelemetryEvent.Descriptor.Fields.InFieldNumberOrder())
            {
                if (field.Accessor.GetValue(e) is Google.Protobuf.IMessage message)
                {
                    sizes[field.Name] = sizes.GetValueOrDefault(field.Name) + message.CalculateSize();
                }
            }
        }

        var bytes = framed.Sum(f => (long)f.Length);
        return new BenchmarkResult(
            "Decoding in process",
            $"ProtobufRecordCodec<TelemetryEvent>.Decode over the {events.Count:N0} framed records, after three warm-up passes, one thread, no Kafka",
            events.Count,
            elapsed,
            [
                ("framed bytes per event", $"{bytes / (double)events.Count:N0}"),
                ("CPU µs per event (one thread, wall clock)", $"{elapsed.TotalMicroseconds / events.Count:F2}"),
                ("CPU µs per event (process CPU time)", $"{cpu.TotalMicroseconds / events.Count:F2}"),
                ("allocated bytes per event", $"{allocated / (double)events.Count:N0}"),
                ("selective decode (the fields any pack or the baseline reads): CPU µs per event", $"{selectiveElapsed.TotalMicroseconds / events.Count:F2}"),
                ("selective decode: CPU µs per event (process CPU time, least of three passes)", $"{selectiveCpu.TotalMicroseconds / events.Count:F2}"),
                ("selective decode: allocated bytes per event", $"{selectiveAllocated / (double)events.Count:N0}"),
                ("selective decode: fields parsed", $"{selective.Selection.Paths.Count} paths"),
                ("selective decode: events parsed whole (left to the generated parser)", $"{framed.Count(f => !selective.Decode(f).IsPartial):N0}"),
                ("largest parts (encoded bytes per event)", string.Join(", ", sizes.OrderByDescending(s => s.Value).Take(5).Select(s => $"{s.Key} {s.Value / (double)events.Count:N0}"))),
            ]);
    }

    /// <summary>This process's CPU time (user and system, every thread: the GC's included).</summary>
    private static TimeSpan Cpu() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

    private static void DecodeSelectively(SelectiveTelemetryCodec codec, List<byte[]> framed)
    {
        for (var i = 0; i < framed.Count; i++)
        {
            codec.Decode(framed[i]);
            if (i % 1000 == 999)
            {
                codec.ReleaseBatch();
            }
        }

        codec.ReleaseBatch();
    }

    private static void Decode(ProtobufRecordCodec<TelemetryEvent> codec, List<byte[]> framed)
    {
        foreach (var record in framed)
        {
            codec.Decode(record);
        }
    }
}
