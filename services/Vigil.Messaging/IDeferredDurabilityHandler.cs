namespace Vigil.Messaging;

/// <summary>
/// A batch handler whose writes may still be in flight when it is done with a batch: the consume loop then hands it the
/// next batch at once and stores a batch's offsets only once its durability task completed, so the handler works on
/// one batch while the store takes the previous one, and a crash still loses nothing.
/// </summary>
/// <remarks>
/// The contract the loop relies on:
/// <list type="bullet">
/// <item>Batches become durable in the order they were handed, and a batch's durability task completes only after
/// every earlier batch's did.</item>
/// <item>Once a batch's durability fails, every later batch's fails too (its writes are never sent), and the handler
/// refuses new batches (throws) until <see cref="Rewound"/>: its memory is put back to what the store holds.</item>
/// <item>The loop rewinds to the first batch whose durability failed (every later batch with it) before it calls
/// <see cref="Rewound"/>, and hands the next batch only after the previous one's durability completed.</item>
/// </list>
/// <see cref="IRecordBatchHandler{T}.HandleAsync"/> stays the serial form: it returns once the batch is durable.
/// </remarks>
public interface IDeferredDurabilityHandler<T> : IRecordBatchHandler<T>
{
    /// <summary>
    /// Handles <paramref name="batch"/> and returns once done with its records (the loop may reuse their values), with a
    /// task that completes once the batch's effects are durable, or faults if they never will be.
    /// </summary>
    Task<Task> HandleDeferredAsync(IReadOnlyList<ConsumedRecord<T>> batch, CancellationToken cancellationToken);

    /// <summary>
    /// The loop rewound to the first batch whose durability failed; handling resumes from it. Called once no batch is
    /// in the handler.
    /// </summary>
    void Rewound();
}
