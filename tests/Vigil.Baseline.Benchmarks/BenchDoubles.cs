using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;
using Vigil.Messaging;

namespace Vigil.Baseline.Benchmarks;

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
internal sealed class CountingAlertPublisher : ITopicPublisher<Alert>
{
    public List<string> Rules { get; } = [];

    public int Count => Rules.Count;

    public string Topic => "vigil.alerts.v1";

    public Task<RecordPosition> PublishAsync(string key, Alert message, CancellationToken cancellationToken = default)
    {
        Rules.Add(message.Rule.Id);
        return Task.FromResult(new RecordPosition(Topic, 0, Rules.Count - 1));
    }

    public Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, Alert>> records, CancellationToken cancellationToken = default)
    {
        var first = Rules.Count;
        Rules.AddRange(records.Select(r => r.Value.Rule.Id));
        return Task.FromResult<IReadOnlyList<RecordPosition>>(records.Select((_, i) => new RecordPosition(Topic, 0, first + i)).ToArray());
    }
}
