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

/// <summary>The baseline's handler wired as the service wires it, over Redis, with its alerts counted instead of published.</summary>
internal static class BenchHandler
{
    /// <param name="name">Names the run: its Redis key prefix (with a fresh id) and the alerts' producer ("baseline/<paramref name="name"/>").</param>
    /// <param name="keepAlerts">Whether the publisher keeps each alert (<see cref="CountingAlertPublisher.Sent"/>); the throughput bench does not, so it measures no list of them.</param>
    public static (BaselineHandler Handler, BaselineStore Store, BaselineMetrics Metrics, CountingAlertPublisher Alerts) Create(IConnectionMultiplexer redis, BaselineOptions options, string name, bool keepAlerts = false)
    {
        var metrics = new BaselineMetrics(IsolatedMetrics.Factory());
        var store = new BaselineStore(redis, new BaselineKeys(new RedisKeys($"{name}-{Guid.NewGuid():N}")), options, metrics);
        var alerts = new CountingAlertPublisher(keepAlerts);
        var chains = new ProcessChainCache(options.ChainCacheCapacity);
        var handler = new BaselineHandler(
            new BaselineDetector(options, new BaselineAlertBuilder(options, TimeProvider.System, $"baseline/{name}"), chains, TimeProvider.System),
            store,
            chains,
            new AlertOutbox(alerts, new PublishedAlertLog(new NothingPublishedYet(), TopicManifest.LoadDefault(), $"baseline/{name}")),
            null,
            metrics,
            NullLogger<BaselineHandler>.Instance);
        return (handler, store, metrics, alerts);
    }
}

/// <summary>Keeps the simulated fleet's events in memory, in the order the simulation wrote them.</summary>
internal sealed class ListSink : ITelemetrySink
{
    public List<TelemetryEvent> Events { get; } = [];

    public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        Events.AddRange(batch);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A fresh alert topic: nothing to recover (the benchmarks measure the handler, not the recovery read).</summary>
internal sealed class NothingPublishedYet : ITopicReader<Alert>
{
    public Task<IReadOnlyDictionary<int, long>> EndOffsetsAsync(string topic, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>());

    public Task<IReadOnlyList<ConsumedRecord<Alert>>> ReadToEndAsync(string topic, IReadOnlyDictionary<int, long> fromOffsets, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ConsumedRecord<Alert>>>([]);
}

/// <summary>Takes the alerts the outbox publishes in place of the alert topic, noting each one's rule id.</summary>
internal sealed class CountingAlertPublisher(bool keep = false) : ITopicPublisher<Alert>
{
    public List<string> Rules { get; } = [];

    /// <summary>The alerts themselves, when kept (else empty).</summary>
    public List<Alert> Sent { get; } = [];

    public int Count => Rules.Count;

    public string Topic => "vigil.alerts.v1";

    public Task<RecordPosition> PublishAsync(string key, Alert message, CancellationToken cancellationToken = default)
    {
        Rules.Add(message.Rule.Id);
        if (keep)
        {
            Sent.Add(message);
        }
        return Task.FromResult(new RecordPosition(Topic, 0, Rules.Count - 1));
    }

    public Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, Alert>> records, CancellationToken cancellationToken = default)
    {
        var first = Rules.Count;
        Rules.AddRange(records.Select(r => r.Value.Rule.Id));
        if (keep)
        {
            Sent.AddRange(records.Select(r => r.Value));
        }
        return Task.FromResult<IReadOnlyList<RecordPosition>>(records.Select((_, i) => new RecordPosition(Topic, 0, first + i)).ToArray());
    }
}
