using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Vigil.Baseline.Alerts;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.FleetSim;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.Testing;

namespace Vigil.Baseline.Benchmarks;

/// <summary>
/// Feeds a simulated fleet's telemetry (every event kind, in the simulator's proportions) through the baseline's
/// batch handler against a real Redis, in consume-loop-sized batches, and reports events/s and Redis round trips
/// per event. Kafka is left out (its throughput is measured on its own); alerts go to a publisher that only counts.
/// </summary>
public sealed class BaselineThroughputBench(int events, int batchSize, int hosts)
{
    private const int Partitions = 48;

    public async Task<BaselineBenchResult> RunAsync(string redisEndpoint)
    {
        var telemetry = await SimulateAsync();
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
        var metrics = new BaselineMetrics(IsolatedMetrics.Factory());
        var store = new BaselineStore(redis, new BaselineKeys(new RedisKeys($"bench-{Guid.NewGuid():N}")), options, metrics);
        var alerts = new CountingPublisher();
        var chains = new ProcessChainCache(options.ChainCacheCapacity);
        var handler = new BaselineHandler(
            new BaselineDetector(options, new BaselineAlertBuilder(options, TimeProvider.System, "baseline/bench"), chains, TimeProvider.System),
            store,
            chains,
            new AlertOutbox(alerts, new PublishedAlertLog(new NothingPublishedYet(), TopicManifest.LoadDefault(), "baseline/bench")),
            null,
            metrics,
            NullLogger<BaselineHandler>.Instance);
        // Placed as the producer places them: a host's events in one partition, offsets counting per partition.
        var offsets = new long[Partitions];
        var records = telemetry.Select(e =>
        {
            var partition = (int)((uint)StringComparer.Ordinal.GetHashCode(e.Host.Id) % Partitions);
            return new ConsumedRecord<TelemetryEvent>("vigil.telemetry.macos.v1", partition, offsets[partition]++, e.Host.Id, DateTimeOffset.UnixEpoch, e);
        }).ToList();
        var network = records.Count(r => NetworkObservation.From(r) is not null);

        var clock = Stopwatch.StartNew();
        foreach (var batch in records.Chunk(batchSize))
        {
            await handler.HandleAsync(batch, CancellationToken.None);
        }

        clock.Stop();
        return new BaselineBenchResult(records.Count, network, batchSize, clock.Elapsed, store.RoundTrips, alerts.Count);
    }

    private async Task<List<TelemetryEvent>> SimulateAsync()
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

    private sealed class ListSink : ITelemetrySink
    {
        public List<TelemetryEvent> Events { get; } = [];

        public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
        {
            Events.AddRange(batch);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A fresh alert topic: nothing to recover (the bench measures the handler, not the recovery read).</summary>
    private sealed class NothingPublishedYet : ITopicReader<Alert>
    {
        public Task<IReadOnlyDictionary<int, long>> EndOffsetsAsync(string topic, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>());

        public Task<IReadOnlyList<ConsumedRecord<Alert>>> ReadToEndAsync(string topic, IReadOnlyDictionary<int, long> fromOffsets, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ConsumedRecord<Alert>>>([]);
    }

    private sealed class CountingPublisher : ITopicPublisher<Alert>
    {
        public int Count { get; private set; }

        public string Topic => "vigil.alerts.v1";

        public Task<RecordPosition> PublishAsync(string key, Alert message, CancellationToken cancellationToken = default)
        {
            Count++;
            return Task.FromResult(new RecordPosition(Topic, 0, Count - 1));
        }

        public Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, Alert>> records, CancellationToken cancellationToken = default)
        {
            var positions = records.Select((_, i) => new RecordPosition(Topic, 0, Count + i)).ToArray();
            Count += records.Count;
            return Task.FromResult<IReadOnlyList<RecordPosition>>(positions);
        }
    }
}
