using Vigil.Contracts.Alerts;
using Vigil.Messaging;

namespace Vigil.Detection;

/// <summary>
/// A backtest's alert topic: acknowledges at once with a running offset, so the outbox runs unchanged and synchronously.
/// The alerts themselves are returned by the outbox; nothing is kept here, so a long backtest does not grow.
/// </summary>
internal sealed class ReportedAlerts : ITopicPublisher<Alert>
{
    private long next;

    public string Topic => "backtest";

    public Task<RecordPosition> PublishAsync(string key, Alert message, CancellationToken cancellationToken = default)
    {
        return Task.FromResult(new RecordPosition(Topic, 0, next++));
    }

    public Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, Alert>> records, CancellationToken cancellationToken = default)
    {
        var positions = new List<RecordPosition>(records.Count);
        foreach (var _ in records)
        {
            positions.Add(new RecordPosition(Topic, 0, next++));
        }

        return Task.FromResult<IReadOnlyList<RecordPosition>>(positions);
    }
}
