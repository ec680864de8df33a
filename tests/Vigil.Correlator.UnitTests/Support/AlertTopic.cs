using Vigil.Contracts.Alerts;
using Vigil.Messaging;

namespace Vigil.Correlator.UnitTests.Support;

/// <summary>A one-partition alert topic in memory: what the outbox publishes to and what a recovering log reads back.</summary>
internal sealed class AlertTopic : ITopicPublisher<Alert>, ITopicReader<Alert>
{
    private readonly List<Alert> records = [];

    public string Topic => "alerts";

    public IReadOnlyList<Alert> Records => records;

    /// <summary>Refuses every publish (a broker that is down) while set.</summary>
    public bool FailPublish { get; set; }

    public Task<RecordPosition> PublishAsync(string key, Alert message, CancellationToken cancellationToken = default)
    {
        if (FailPublish)
        {
            throw new InvalidOperationException("The alert topic refused the write.");
        }

        records.Add(message);
        return Task.FromResult(new RecordPosition(Topic, 0, records.Count - 1));
    }

    public async Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, Alert>> batch, CancellationToken cancellationToken = default)
    {
        var positions = new List<RecordPosition>();
        foreach (var (key, alert) in batch)
        {
            positions.Add(await PublishAsync(key, alert, cancellationToken));
        }

        return positions;
    }

    public Task<IReadOnlyDictionary<int, long>> EndOffsetsAsync(string topic, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long> { [0] = records.Count });

    public Task<IReadOnlyList<ConsumedRecord<Alert>>> ReadToEndAsync(string topic, IReadOnlyDictionary<int, long> fromOffsets, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ConsumedRecord<Alert>>>(records
            .Select((a, i) => new ConsumedRecord<Alert>(Topic, 0, i, a.Host.Id, DateTimeOffset.UnixEpoch, a))
            .Where(r => r.Offset >= fromOffsets.GetValueOrDefault(0, long.MaxValue))
            .ToList());
}
