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
        Decode(codec, framed);
        var elapsed = Stopwatch.GetElapsedTime(started);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

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
                ("allocated bytes per event", $"{allocated / (double)events.Count:N0}"),
                ("largest parts (encoded bytes per event)", string.Join(", ", sizes.OrderByDescending(s => s.Value).Take(5).Select(s => $"{s.Key} {s.Value / (double)events.Count:N0}"))),
            ]);
    }

    private static void Decode(ProtobufRecordCodec<TelemetryEvent> codec, List<byte[]> framed)
    {
        foreach (var record in framed)
        {
            codec.Decode(record);
        }
    }
}
