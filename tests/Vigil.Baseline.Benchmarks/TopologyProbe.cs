using Google.Protobuf;
using StackExchange.Redis;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;
using Vigil.Messaging;

namespace Vigil.Baseline.Benchmarks;

/// <summary>
/// What the baseline makes of the topology benchmark's workload (tests/Vigil.Benchmarks: 2,000 hosts, a scenario every
/// 100 simulated ms, half of them attacks), replayed as its load producer replays it: passes over the events at the
/// steps' rates, each event stamped with the time it would be sent, each pass's event and process entity ids marked
/// with the pass. Run in process through the baseline's handler against a real redis-server, with some
/// <see cref="BaselineOptions"/>; after each step it prints the alerts, the profiles that matured and the observations
/// kept out of learning. Shows why the benchmark's baseline raises no alert: with the default maturity (days of
/// event time) no profile matures within the minutes a run lasts. Send times start at the last whole minute: from any
/// other instant the volume buckets cut the replay elsewhere, and with a short maturity (no-age) the volume alerts of
/// the 5,000 events/s step went from 6-7 to about 30 between runs (<see cref="ReplayProbe"/>, docs/performance.md).
/// </summary>
public static class TopologyProbe
{
    private const int Partitions = 48;

    private static readonly SelectiveTelemetryParser Parser = new(FieldSelection.Of(TelemetryEvent.Descriptor, BaselineHandler.FieldsRead));

    /// <summary>The topology's warm-up (12 s at 1,000 events/s) and its steps of 20 s up to 20,000 events/s.</summary>
    public static IReadOnlyList<(int Rate, int Seconds)> Topology { get; } = [(1_000, 12), (1_000, 20), (5_000, 20), (10_000, 20), (15_000, 20), (20_000, 20)];

    /// <summary>A service alone: 5 s of warm-up at 10,000 events/s, then steps of 12 s.</summary>
    public static IReadOnlyList<(int Rate, int Seconds)> Alone { get; } = [(10_000, 5), (40_000, 12), (80_000, 12), (120_000, 12)];

    public static async Task RunAsync(string redisEndpoint, BaselineOptions options, IReadOnlyList<(int Rate, int Seconds)> schedule, string label)
    {
        var truth = new GroundTruth();
        var sink = new ListSink();
        await new FleetSimulation(Workload, truth).RunAsync(sink);
        var scenarios = truth.Records.Where(r => r.AnalyticId == "AN1227").GroupBy(r => (r.Scenario, r.Label)).Select(g => $"{g.Key.Scenario} ({g.Key.Label}) {g.Count()}");
        Console.WriteLine($"[{label}] workload: {sink.Events.Count:N0} events, {truth.Records.Count:N0} scenarios; AN1227: {string.Join(", ", scenarios)}");

        using var redis = await ConnectionMultiplexer.ConnectAsync(redisEndpoint);
        var (handler, _, metrics, alerts) = BenchHandler.Create(redis, options, "probe");

        var offsets = new long[Partitions];
        // From the last whole minute, not from now: where the volume buckets (event time / BucketWidth) cut the replay
        // changes the volume alerts (ReplayProbe), so a start at any millisecond made two runs of one build differ.
        var start = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60 * 1_000_000_000;
        var sentAt = start;
        var next = 0;
        var pass = 0;
        var batch = new List<ConsumedRecord<TelemetryEvent>>(1000);
        await Task.Factory.StartNew(() => Replay(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        void Replay()
        {
        foreach (var (rate, seconds) in schedule)
        {
            for (long i = 0; i < (long)rate * seconds; i++)
            {
                var e = Stamp(sink.Events[next], sentAt, pass);
                sentAt += 1_000_000_000L / rate;
                var partition = PartitionOf(e.Host.Id);
                batch.Add(new ConsumedRecord<TelemetryEvent>("vigil.telemetry.macos.v1", partition, offsets[partition]++, e.Host.Id, DateTimeOffset.UnixEpoch, Parser.Parse(e.ToByteArray())));
                if (batch.Count == batch.Capacity)
                {
                    // Parsed, handled and released on this thread (see BaselineThroughputBench): the parser's pools and
                    // payload arena are per thread.
                    handler.HandleAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
                    Parser.ReleasePayloads();
                    batch.Clear();
                }

                if (++next == sink.Events.Count)
                {
                    next = 0;
                    pass++;
                }
            }

            var rules = string.Join(", ", alerts.Rules.GroupBy(r => r).Select(g => $"{g.Key} {g.Count()}"));
            Console.WriteLine($"[{label}] after {seconds} s at {rate:N0}/s (event time {(sentAt - start) / 1e9:F0} s, pass {pass}): alerts {alerts.Rules.Count} ({rules}), profiles matured {metrics.Maturations.Value}, observations untrained {metrics.UntrainedObservations.Value}, alerts suppressed {metrics.AlertsSuppressed.Value}");

            // The benchmark pauses between steps.
            sentAt += 2_000_000_000L;
        }
        }
    }

    /// <summary>The topology benchmark's simulated fleet, replayed pass after pass.</summary>
    internal static FleetSimulationOptions Workload => new() { Seed = 42, Hosts = 2000, EventsPerSecond = 1000, MaxEvents = 300_000, ScenarioInterval = TimeSpan.FromMilliseconds(100) };

    /// <summary>A copy of <paramref name="source"/> as the load producer sends it: stamped <paramref name="sentAt"/>, its event and process entity ids marked with the pass.</summary>
    internal static TelemetryEvent Stamp(TelemetryEvent source, long sentAt, int pass)
    {
        var e = source.Clone();
        e.Timestamp = sentAt;
        var marker = $"-p{pass:D5}";
        e.Event.Id += marker;
        if (e.Process is { } process)
        {
            process.EntityId += process.EntityId.Length > 0 ? marker : string.Empty;
            if (process.Parent is { EntityId.Length: > 0 } parent)
            {
                parent.EntityId += marker;
            }
        }

        return e;
    }

    /// <summary>A host's partition: the same in every process (string.GetHashCode is seeded per process).</summary>
    internal static int PartitionOf(string hostId)
    {
        var hash = 2166136261u;
        foreach (var c in hostId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Partitions);
    }

    private sealed class GroundTruth : IGroundTruthSink
    {
        public List<GroundTruthRecord> Records { get; } = [];

        public ValueTask WriteAsync(GroundTruthRecord record, CancellationToken cancellationToken)
        {
            Records.Add(record);
            return ValueTask.CompletedTask;
        }
    }
}
