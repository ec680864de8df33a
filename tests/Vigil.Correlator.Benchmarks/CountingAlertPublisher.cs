using Vigil.Contracts.Alerts;
using Vigil.Messaging;

namespace Vigil.Correlator.Benchmarks;

/// <summary>
/// Stands in for the Kafka alert publisher in the throughput mode: encodes each alert with the service's own alert
/// encoder (so an alert's serialization still counts) and counts it, with positions as a broker would hand them out.
/// Publishing to a broker is not what the mode measures.
/// </summary>
internal sealed class CountingAlertPublisher(IRecordEncoder<Alert> encoder) : ITopicPublisher<Alert>
{
    private long offset;

    public string Topic => "alerts";

    public long Published => Interlocked.Read(ref offset);

    public long Bytes { get; private set; }

    public Task<RecordPosition> PublishAsync(string key, Alert message, CancellationToken cancellationToken = default) =>
        Task.FromResult(Publish(message));

    public Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, Alert>> records, CancellationToken cancellationToken = default)
    {
        var positions = new RecordPosition[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            positions[i] = Publish(records[i].Value);
        }

        return Task.FromResult<IReadOnlyList<RecordPosition>>(positions);
    }

    private RecordPosition Publish(Alert alert)
    {
        Bytes += encoder.Encode(alert).Length;
        return new RecordPosition(Topic, 0, Interlocked.Increment(ref offset) - 1);
    }
}
