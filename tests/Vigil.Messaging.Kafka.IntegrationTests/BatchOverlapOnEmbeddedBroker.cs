using System.Collections.Concurrent;
using Vigil.Contracts.Telemetry;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// The consume loop reads and decodes the next batch while the handler works on the previous one, and lets that batch
/// grow while the handler is busy. What a user relies on must hold all the same: one batch at a time, each host's records
/// in order, nothing skipped after a failure, and offsets committed only for what the handler finished.
/// </summary>
public sealed class BatchOverlapOnEmbeddedBroker : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task ABacklogReachesABusyHandlerInBatchesLargerThanMaxBatchSizeButNoLargerThanTheBacklogLimit()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "backlog", consumer: c =>
        {
            c.MaxBatchSize = 50;
            c.MaxBacklogBatchSize = 400;
        });
        await pipeline.CreateTopicsAsync();
        var published = await pipeline.PublishAsync(hosts: 20, perHost: 100);
        var handler = new OrderCheckingHandler(delay: _ => TimeSpan.FromMilliseconds(100));
        await pipeline.StartLoopAsync(handler);

        await Eventually.TrueAsync(() => handler.Handled.Count >= published.Count, TimeSpan.FromSeconds(60), "the backlog is handled");

        Assert.True(handler.BatchSizes.Max() > 50, $"largest batch {handler.BatchSizes.Max()}: a busy handler should get the waiting records in larger batches");
        Assert.True(handler.BatchSizes.Max() <= 400, $"largest batch {handler.BatchSizes.Max()} is over the backlog limit of 400");
        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Handled.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ARecordArrivingAloneIsHandedOverWithoutWaitingForABacklog()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "alone", consumer: c => c.MaxBatchWait = TimeSpan.FromMilliseconds(20));
        await pipeline.CreateTopicsAsync();
        var handler = new OrderCheckingHandler(delay: _ => TimeSpan.Zero);
        await pipeline.StartLoopAsync(handler);
        await Eventually.TrueAsync(() => pipeline.Metrics.AssignedPartitions.WithLabels(pipeline.Group).Value > 0, TimeSpan.FromSeconds(60), "the loop is assigned");

        for (var n = 0; n < 5; n++)
        {
            var sent = DateTimeOffset.UtcNow;
            await pipeline.PublishAsync(hosts: 1, perHost: 1, firstSequence: n);
            await Eventually.TrueAsync(() => handler.Handled.Count > n, TimeSpan.FromSeconds(10), $"record {n} is handled");
            // MaxBatchWait (20 ms) plus delivery; a loop that held records back for a bigger batch would take its 200 ms idle poll or more.
            Assert.True(DateTimeOffset.UtcNow - sent < TimeSpan.FromSeconds(2), $"record {n} took {(DateTimeOffset.UtcNow - sent).TotalMilliseconds:F0} ms");
        }

        Assert.All(handler.BatchSizes, size => Assert.Equal(1, size));
    }

    [Fact]
    public async Task ASlowAndSometimesFailingHandlerSeesOneBatchAtATimeAndEachHostsRecordsInOrderWithNoneSkipped()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "order", consumer: c =>
        {
            c.MaxBatchSize = 30;
            c.MaxBacklogBatchSize = 120;
        });
        await pipeline.CreateTopicsAsync();
        var random = new Random(7);
        var attempts = 0;
        var handler = new OrderCheckingHandler(
            delay: _ => TimeSpan.FromMilliseconds(random.Next(0, 40)),
            fail: _ => Interlocked.Increment(ref attempts) % 4 == 0);
        await pipeline.StartLoopAsync(handler);
        var published = new List<string>();
        for (var wave = 0; wave < 4; wave++)
        {
            published.AddRange(await pipeline.PublishAsync(hosts: 12, perHost: 25, firstSequence: wave * 25));
        }

        await Eventually.TrueAsync(() => handler.Handled.Count >= published.Count, TimeSpan.FromSeconds(90), "every record is handled");

        Assert.True(handler.Failures > 0, "no batch failed: the test did not exercise the rewind");
        Assert.Equal(1, handler.MostAtOnce);
        Assert.Empty(handler.OutOfOrder);
        // A failed batch is not recorded, and what was read after it is read again: each record is handled exactly once.
        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Handled.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task OffsetsOfTheBatchInHandAndOfTheBatchReadBehindItAreNotCommittedUntilTheHandlerFinishes()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "commit", partitions: 1, consumer: c =>
        {
            c.MaxBatchSize = 20;
            c.MaxBacklogBatchSize = 20;
            c.CommitIntervalMs = 100;
        });
        await pipeline.CreateTopicsAsync();
        using var release = new SemaphoreSlim(0);
        var handler = new OrderCheckingHandler(delay: _ => TimeSpan.Zero, gate: batch => batch[0].Offset == 20 ? release : null);
        // Published before the loop starts, so batches are cut at 20 records: 0-19, 20-39, ...
        await pipeline.PublishAsync(hosts: 1, perHost: 100);
        await pipeline.StartLoopAsync(handler);

        // The first batch (offsets 0-19) is handled; the second (20-39) waits in the handler, as an alert publish would.
        await Eventually.TrueAsync(() => handler.Waiting, TimeSpan.FromSeconds(60), "the second batch reaches the handler");
        await Eventually.TrueAsync(() => pipeline.CommittedOffsets()[0] == 20, TimeSpan.FromSeconds(10), "the first batch's offsets are committed");
        // Ten commit intervals: the batch in hand and the one the loop has read behind it stay uncommitted.
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            Assert.Equal(20, pipeline.CommittedOffsets()[0]);
        }

        Assert.Equal(20, handler.Handled.Count);
        release.Release();
        await Eventually.TrueAsync(() => pipeline.CommittedOffsets()[0] == 100, TimeSpan.FromSeconds(30), "everything is committed once handled");
        Assert.Equal(100, handler.Handled.Count);
    }

    /// <summary>
    /// Records each host's sequence numbers as it handles them, and how many batches it was given at once; can wait,
    /// fail a batch (before recording any of it), or hold one until the test releases it.
    /// </summary>
    private sealed class OrderCheckingHandler(
        Func<IReadOnlyList<ConsumedRecord<TelemetryEvent>>, TimeSpan> delay,
        Func<IReadOnlyList<ConsumedRecord<TelemetryEvent>>, bool>? fail = null,
        Func<IReadOnlyList<ConsumedRecord<TelemetryEvent>>, SemaphoreSlim?>? gate = null) : IRecordBatchHandler<TelemetryEvent>
    {
        private readonly Dictionary<string, long> lastByHost = [];
        private int atOnce;

        public ConcurrentQueue<string> Handled { get; } = new();

        public ConcurrentQueue<int> BatchSizes { get; } = new();

        public ConcurrentQueue<string> OutOfOrder { get; } = new();

        public int MostAtOnce;

        public int Failures;

        public volatile bool Waiting;

        public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref atOnce);
            InterlockedMax(ref MostAtOnce, now);
            try
            {
                if (gate?.Invoke(batch) is { } wait)
                {
                    Waiting = true;
                    await wait.WaitAsync(cancellationToken);
                }

                await Task.Delay(delay(batch), cancellationToken);
                if (fail?.Invoke(batch) == true)
                {
                    Interlocked.Increment(ref Failures);
                    throw new InvalidOperationException("Alert publish refused (simulated by the test handler).");
                }

                BatchSizes.Enqueue(batch.Count);
                foreach (var record in batch)
                {
                    var host = record.Value.Host.Id;
                    var sequence = record.Value.Event.Sequence;
                    if (lastByHost.TryGetValue(host, out var last) && sequence <= last)
                    {
                        OutOfOrder.Enqueue($"{host}: {sequence} after {last}");
                    }

                    lastByHost[host] = sequence;
                    Handled.Enqueue(record.Value.Event.Id);
                }
            }
            finally
            {
                Interlocked.Decrement(ref atOnce);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
