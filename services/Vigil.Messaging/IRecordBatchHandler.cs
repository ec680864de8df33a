namespace Vigil.Messaging;

/// <summary>
/// Handles consumed records a batch at a time. The consume loop stores a batch's offsets only after
/// <see cref="HandleAsync"/> completed, so a handler must finish its side effects (state writes,
/// deliveries) before returning and must tolerate seeing a record again after a crash (at-least-once).
/// </summary>
public interface IRecordBatchHandler<T>
{
    Task HandleAsync(IReadOnlyList<ConsumedRecord<T>> batch, CancellationToken cancellationToken);

    /// <summary>Partitions were assigned to this consumer.</summary>
    Task OnPartitionsAssignedAsync(IReadOnlyList<TopicPartitionRef> partitions) => Task.CompletedTask;

    /// <summary>
    /// Partitions are being taken away in an orderly rebalance or shutdown. Flush any pending state
    /// for them here: offsets are committed right after this returns.
    /// </summary>
    Task OnPartitionsRevokedAsync(IReadOnlyList<TopicPartitionRef> partitions) => Task.CompletedTask;

    /// <summary>Partitions were lost (session timeout); another member may already own them. Offsets are not committed.</summary>
    Task OnPartitionsLostAsync(IReadOnlyList<TopicPartitionRef> partitions) => Task.CompletedTask;
}
