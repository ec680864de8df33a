using System.Collections.Concurrent;
using Vigil.Contracts.Telemetry;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>Remembers every event id it handled (duplicates included) and the rebalance callbacks it saw.</summary>
internal sealed class RecordingHandler(Func<IReadOnlyList<ConsumedRecord<TelemetryEvent>>, bool>? failBatch = null) : IRecordBatchHandler<TelemetryEvent>
{
    private readonly ConcurrentQueue<string> handled = new();

    public IReadOnlyCollection<string> Handled => handled;

    public ConcurrentQueue<string> Callbacks { get; } = new();

    public int FailedBatches;

    public Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
    {
        if (failBatch?.Invoke(batch) == true)
        {
            Interlocked.Increment(ref FailedBatches);
            throw new InvalidOperationException("State store unavailable (simulated by the test handler).");
        }

        foreach (var record in batch)
        {
            handled.Enqueue(record.Value.Event.Id);
        }

        return Task.CompletedTask;
    }

    public Task OnPartitionsAssignedAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        Callbacks.Enqueue($"assigned {partitions.Count}");
        return Task.CompletedTask;
    }

    public Task OnPartitionsRevokedAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        Callbacks.Enqueue($"revoked {partitions.Count}");
        return Task.CompletedTask;
    }
}
