using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;
using Vigil.Messaging;

namespace Vigil.Baseline.Benchmarks;

/// <summary>
/// The topology probe's workload recorded once with fixed send times, then replayed through fresh handlers: the same
/// records in several deliveries Kafka could make (each partition's order kept; batch sizes and the interleaving of
/// partitions varied), and the same records with all send times shifted (another phase against the volume buckets).
/// </summary>
public static class ReplayProbe
{
    private const int Partitions = 48;
    private const string VolumeRule = "vigil-an1227-volume";

    private static readonly SelectiveTelemetryParser Parser = new(FieldSelection.Of(TelemetryEvent.Descriptor, BaselineHandler.FieldsRead));

    private sealed record Recorded(int Partition, long Offset, byte[] Bytes);

    public static async Task RunAsync(string redisEndpoint, BaselineOptions options, IReadOnlyList<(int Rate, int Seconds)> schedule, long start)
    {
        var sink = new ListSink();
        await new FleetSimulation(TopologyProbe.Workload).RunAsync(sink);
        using var redis = await ConnectionMultiplexer.ConnectAsync(redisEndpoint);

        var variants = new List<(string Name, long Shift, Func<List<Recorded>, IEnumerable<List<Recorded>>> Deliver)>
        {
            ("in order, batches of 1000", 0, r => Chunks(r, 1000)),
            ("in order, batches of 1000 (again)", 0, r => Chunks(r, 1000)),
            ("in order, batches of 100", 0, r => Chunks(r, 100)),
            ("in order, batches of 5000", 0, r => Chunks(r, 5000)),
            ("partitions in turn, 50 records each, batches of 1000", 0, r => InTurn(r, 50, 1000)),
            ("partitions interleaved (seed 1)", 0, r => Interleaved(r, 1)),
            ("partitions interleaved (seed 2)", 0, r => Interleaved(r, 2)),
            ("partitions interleaved (seed 3)", 0, r => Interleaved(r, 3)),
        };
        foreach (var shift in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })
        {
            variants.Add(($"in order, batches of 1000, send times +{shift} s", shift * 1_000_000_000L, r => Chunks(r, 1000)));
        }

        foreach (var (name, shift, deliver) in variants)
        {
            var records = Record(sink.Events, schedule, start + shift);
            var (handler, _, metrics, alerts) = BenchHandler.Create(redis, options, "replay", keepAlerts: true);
            foreach (var delivery in deliver(records))
            {
                var batch = delivery.Select(r => new ConsumedRecord<TelemetryEvent>("vigil.telemetry.macos.v1", r.Partition, r.Offset, string.Empty, DateTimeOffset.UnixEpoch, Parser.Parse(r.Bytes))).ToList();
                await handler.HandleAsync(batch, CancellationToken.None);
                Parser.ReleasePayloads();
            }

            // Which alerts, by rule, host and image (a digest: equal digests, the same alerts).
            var volume = alerts.Sent.Where(a => a.Rule.Id.StartsWith(VolumeRule, StringComparison.Ordinal)).ToList();
            var images = string.Join(", ", volume.GroupBy(a => a.Reason.Split(' ')[0]).Select(g => $"{g.Key} {g.Count()}"));
            Console.WriteLine(
                $"{name,-48} alerts {alerts.Count,3} ({Digest(alerts.Sent)}): new-protocol {alerts.Count - volume.Count,3}, volume {volume.Count,3} ({images}); " +
                $"matured {metrics.Maturations.Value}, untrained {metrics.UntrainedObservations.Value}, suppressed {metrics.AlertsSuppressed.Value}");
        }
    }

    private static string Digest(IEnumerable<Alert> alerts) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(",", alerts.Select(a => $"{a.Rule.Id}/{a.Host.Id}/{a.Reason.Split(' ')[0]}").Order(StringComparer.Ordinal)))))[..8];

    /// <summary>The topology probe's replay (<see cref="TopologyProbe.RunAsync"/>) with send times from <paramref name="start"/>.</summary>
    private static List<Recorded> Record(List<TelemetryEvent> events, IReadOnlyList<(int Rate, int Seconds)> schedule, long start)
    {
        var records = new List<Recorded>();
        var offsets = new long[Partitions];
        var sentAt = start;
        var next = 0;
        var pass = 0;
        foreach (var (rate, seconds) in schedule)
        {
            for (long i = 0; i < (long)rate * seconds; i++)
            {
                var e = TopologyProbe.Stamp(events[next], sentAt, pass);
                sentAt += 1_000_000_000L / rate;
                var partition = TopologyProbe.PartitionOf(e.Host.Id);
                records.Add(new Recorded(partition, offsets[partition]++, e.ToByteArray()));
                if (++next == events.Count)
                {
                    next = 0;
                    pass++;
                }
            }

            sentAt += 2_000_000_000L;
        }

        return records;
    }

    /// <summary>Each partition's records in order, the partitions in turn <paramref name="fetch"/> records at a time.</summary>
    private static IEnumerable<List<Recorded>> InTurn(List<Recorded> records, int fetch, int size)
    {
        var queues = records.GroupBy(r => r.Partition).OrderBy(g => g.Key).Select(g => new Queue<Recorded>(g)).ToList();
        var delivered = new List<Recorded>(records.Count);
        while (queues.Any(q => q.Count > 0))
        {
            foreach (var queue in queues)
            {
                for (var take = fetch; take > 0 && queue.Count > 0; take--)
                {
                    delivered.Add(queue.Dequeue());
                }
            }
        }

        return Chunks(delivered, size);
    }

    private static IEnumerable<List<Recorded>> Chunks(List<Recorded> records, int size) => records.Chunk(size).Select(c => c.ToList());

    /// <summary>
    /// Each partition's records in order, partitions taken in a random order a fetch at a time (1-300 records), batches
    /// of 100-2,000 records: what a consumer of 48 partitions may be handed.
    /// </summary>
    private static IEnumerable<List<Recorded>> Interleaved(List<Recorded> records, int seed)
    {
        var random = new Random(seed);
        var queues = records.GroupBy(r => r.Partition).Select(g => new Queue<Recorded>(g)).ToList();
        var batch = new List<Recorded>();
        var size = random.Next(100, 2001);
        while (queues.Count > 0)
        {
            var q = random.Next(queues.Count);
            for (var take = random.Next(1, 301); take > 0 && queues[q].Count > 0; take--)
            {
                batch.Add(queues[q].Dequeue());
                if (batch.Count == size)
                {
                    yield return batch;
                    batch = [];
                    size = random.Next(100, 2001);
                }
            }

            if (queues[q].Count == 0)
            {
                queues.RemoveAt(q);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
