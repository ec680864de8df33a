using System.Collections.Concurrent;
using Vigil.Contracts.Telemetry;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// A handler that prepares records (<see cref="IRecordPreparer{T}"/>) gets each one with what it worked out of it on the
/// consume thread, right after decoding; a preparer that fails leaves the record unprepared and loses nothing.
/// </summary>
public sealed class RecordPreparationOnEmbeddedBroker : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task EveryRecordReachesThePreparingHandlerWithWhatItsPreparerWorkedOutOnTheConsumeThread()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "prepared");
        await pipeline.CreateTopicsAsync();
        var published = await pipeline.PublishAsync(hosts: 10, perHost: 20);
        var handler = new PreparingHandler(fails: _ => false);
        await pipeline.StartLoopAsync(handler);

        await Eventually.TrueAsync(() => handler.Handled.Count >= published.Count, TimeSpan.FromSeconds(60), "every record is handled");

        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Handled.Keys.Order(StringComparer.Ordinal));
        Assert.All(handler.Handled, h => Assert.Equal(PreparingHandler.NoteOf(h.Key), h.Value));
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, handler.PreparingThreads);
        Assert.Empty(handler.PreparingThreads.Intersect(handler.HandlingThreads));
    }

    [Fact]
    public async Task ARecordWhosePreparationFailedIsHandledUnpreparedAndNothingIsLost()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "unprepared");
        await pipeline.CreateTopicsAsync();
        var published = await pipeline.PublishAsync(hosts: 4, perHost: 10);
        var handler = new PreparingHandler(fails: id => id.EndsWith('3'));
        await pipeline.StartLoopAsync(handler);

        await Eventually.TrueAsync(() => handler.Handled.Count >= published.Count, TimeSpan.FromSeconds(60), "every record is handled");

        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Handled.Keys.Order(StringComparer.Ordinal));
        Assert.All(handler.Handled, h => Assert.Equal(h.Key.EndsWith('3') ? 0UL : PreparingHandler.NoteOf(h.Key), h.Value));
    }

    /// <summary>Prepares each event as a number derived from its id, and records what each record arrived with.</summary>
    private sealed class PreparingHandler(Func<string, bool> fails) : IRecordBatchHandler<TelemetryEvent>, IRecordPreparer<TelemetryEvent>
    {
        public ConcurrentDictionary<string, ulong> Handled { get; } = new(StringComparer.Ordinal);

        public ConcurrentBag<int> PreparingThreads { get; } = [];

        public ConcurrentBag<int> HandlingThreads { get; } = [];

        public static ulong NoteOf(string id) => (ulong)(uint)StringComparer.Ordinal.GetHashCode(id) | 1UL << 40;

        public ulong Prepare(TelemetryEvent value)
        {
            PreparingThreads.Add(Environment.CurrentManagedThreadId);
            return fails(value.Event.Id) ? throw new InvalidOperationException("cannot prepare " + value.Event.Id) : NoteOf(value.Event.Id);
        }

        public Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            HandlingThreads.Add(Environment.CurrentManagedThreadId);
            foreach (var record in batch)
            {
                Handled[record.Value.Event.Id] = record.Preparation;
            }

            return Task.CompletedTask;
        }

        public Task OnPartitionsAssignedAsync(IReadOnlyList<TopicPartitionRef> partitions) => Task.CompletedTask;

        public Task OnPartitionsRevokedAsync(IReadOnlyList<TopicPartitionRef> partitions) => Task.CompletedTask;
    }
}
