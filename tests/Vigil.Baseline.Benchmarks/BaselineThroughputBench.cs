using System.Diagnostics;
using StackExchange.Redis;
using Google.Protobuf;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;
using Vigil.Testing;
using Vigil.Messaging;

namespace Vigil.Baseline.Benchmarks;

/// <summary>
/// Feeds a simulated fleet's telemetry (every event kind, in the simulator's proportions) through the baseline's
/// batch handler against a real Redis, in consume-loop-sized batches, decoded as the service decodes them (only the
/// fields the baseline reads, payloads released after each batch), and reports events/s, Redis round trips, and the
/// process's CPU time and allocated bytes per event. Kafka is left out (its throughput is measured on its own);
/// alerts go to a publisher that only counts. With <c>decodeOnly</c> the batches are decoded and not handled: the
/// difference between the two runs is what the handler costs. Batches hold runs of one partition's records, as
/// when reading a backlog, or (<c>interleaved</c>) events in time order across all hosts, as live traffic arrives,
/// where nearly every event of a batch is its host's only one.
/// </summary>
public sealed class BaselineThroughputBench(IReadOnlyList<TelemetryEvent> telemetry, int batchSize, bool interleaved = false)
{
    private const int Partitions = 48;

    // One parser for every run, as the service has one: a parser compiles its field setters, which the JIT then
    // tiers up again, and that would be counted in the measured run.
    private static readonly SelectiveTelemetryParser Parser = new(FieldSelection.Of(TelemetryEvent.Descriptor, BaselineHandler.FieldsRead));

    // Encoded once and replayed by every run, so a profile of the runs shows the handler, not the encoding.
    private readonly Lazy<List<(int Partition, long Offset, string Key, byte[] Payload)>> records = new(() => Place(telemetry, interleaved));

    /// <summary>Placed as the producer places them: a host's events in one partition, offsets counting per partition.</summary>
    private static List<(int Partition, long Offset, string Key, byte[] Payload)> Place(IReadOnlyList<TelemetryEvent> telemetry, bool interleaved)
    {
        var offsets = new long[Partitions];
        var records = telemetry.Select(e =>
        {
            var partition = (int)((uint)StringComparer.Ordinal.GetHashCode(e.Host.Id) % Partitions);
            return (Partition: partition, Offset: offsets[partition]++, Key: e.Host.Id, Payload: e.ToByteArray());
        }).ToList();

        // As a consumer reading a backlog gets them (and as the Kafka benchmark's consumers do): a fetch brings many
        // records of one partition, so a batch holds runs of a few hosts' events. Interleaved: in time order, as live
        // traffic arrives.
        return interleaved ? records : [.. records.OrderBy(r => r.Partition).ThenBy(r => r.Offset)];
    }

    public async Task<BaselineBenchResult> RunAsync(string redisEndpoint, bool decodeOnly = false, AllocationSampler? sampler = null)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(redisEndpoint);
        // Profiles mature early so most of the run is the steady state; keys expire within the hour.
        var options = new BaselineOptions
        {
            MinObservations = 100,
            MinAge = TimeSpan.FromMinutes(1),
            BucketWidth = TimeSpan.FromSeconds(10),
            Retention = TimeSpan.FromHours(1),
            HostStateRetention = TimeSpan.FromHours(1),
        };
        var (handler, store, metrics, alerts) = BenchHandler.Create(redis, options, "bench");

        var records = this.records.Value;
        var network = telemetry.Count(e => e.Event?.Category.Contains("network") == true);
        var batch = new List<ConsumedRecord<TelemetryEvent>>(batchSize);

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        Console.Error.WriteLine($"{(decodeOnly ? "decode only" : "handler")}: {records.Count:N0} events...");
        sampler?.Enabled = true;
        var clock = Stopwatch.StartNew();

        // As the consume loop does it: one thread decodes each batch, waits for the handler and releases the batch's
        // payloads. The parser keeps its pools and payload arena per thread, and releasing is for the calling thread's
        // batch: after an await this loop went on wherever the await resumed, so it released some other thread's
        // parses (or none) and left the batch it had decoded unreleased until the loop happened back on its thread.
        await Task.Factory.StartNew(
            () =>
            {
                foreach (var chunk in records.Chunk(batchSize))
                {
                    batch.Clear();
                    foreach (var (partition, offset, key, payload) in chunk)
                    {
                        batch.Add(new ConsumedRecord<TelemetryEvent>("vigil.telemetry.macos.v1", partition, offset, key, DateTimeOffset.UnixEpoch, Parser.Parse(payload)));
                    }

                    if (!decodeOnly)
                    {
                        handler.HandleAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
                    }

                    Parser.ReleasePayloads();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        clock.Stop();
        sampler?.Enabled = false;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new BaselineBenchResult(decodeOnly ? "decode only" : "decode + baseline handler + Redis", records.Count, network, batchSize, clock.Elapsed, cpu, allocated, store.RoundTrips, alerts.Count)
        {
            ArgumentArrays = store.ArgumentArraysUsed,
        };
    }

    /// <summary>A seeded fleet's background activity (no attack scenarios), simulated once and replayed by every run.</summary>
    public static async Task<List<TelemetryEvent>> SimulateAsync(int events, int hosts)
    {
        var sink = new ListSink();
        var simulation = new FleetSimulation(new FleetSimulationOptions
        {
            Seed = 42,
            Hosts = hosts,
            EventsPerSecond = 500,
            MaxEvents = events,
            ScenarioInterval = TimeSpan.Zero,
        });
        await simulation.RunAsync(sink);
        return sink.Events;
    }
}
