using Vigil.Contracts.Telemetry;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// A handler whose writes may still be in flight when it returns (<see cref="IDeferredDurabilityHandler{T}"/>, the
/// correlators) is handed the next batch at once. What a user relies on must hold all the same: the group's committed
/// offsets never pass a record whose effects are not in the store, a failed write loses nothing and skips nothing, and
/// Kafka:Consumer:OverlapWrites=false gives back the serial form.
/// </summary>
public sealed class DeferredDurabilityOnEmbeddedBroker : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task TheCommittedOffsetDoesNotPassABatchWhoseWritesAreInFlightAndPassesItOnceTheyComplete()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "dwcommit", partitions: 1, consumer: c =>
        {
            c.MaxBatchSize = 20;
            c.MaxBacklogBatchSize = 20;
            c.CommitIntervalMs = 100;
        });
        await pipeline.CreateTopicsAsync();
        var published = await pipeline.PublishAsync(hosts: 1, perHost: 100);
        // The second batch's write is held; the third is written at once, but only after the second (in order).
        var handler = new DeferredWritesHandler(batch => batch.Index == 1 ? Write.Hold : Write.Succeed);
        await pipeline.StartLoopAsync(handler);

        await Eventually.TrueAsync(() => handler.Count >= 3, TimeSpan.FromSeconds(45), "the batch after the one whose write is held is handled");
        var first = handler.Batch(0);
        var held = handler.Batch(1);
        var next = handler.Batch(2);
        await Eventually.TrueAsync(() => pipeline.CommittedOffsets()[0] >= first.LastOffset(0) + 1, TimeSpan.FromSeconds(10), "the first batch's offsets are committed");
        // Ten commit intervals: neither the batch whose write is in flight nor the one handled after it is committed.
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            Assert.Equal(first.LastOffset(0) + 1, pipeline.CommittedOffsets()[0]);
        }

        // The third batch was handled and its own write sent, but it completes only after the held one's.
        Assert.False(held.Written.IsCompleted);
        Assert.False(next.Written.IsCompleted);

        held.Complete();
        await Eventually.TrueAsync(() => pipeline.CommittedOffsets()[0] == 100, TimeSpan.FromSeconds(30), "everything is committed once written");
        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Written.Order(StringComparer.Ordinal));
        Assert.Equal(0, handler.PlainCalls);
    }

    [Fact]
    public async Task TheNextBatchIsHandedOverWhileThePreviousOnesWritesAreInFlightButNeverAThirdWhileTwoAreUnwritten()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "dwoverlap", partitions: 1, consumer: c =>
        {
            c.MaxBatchSize = 20;
            c.MaxBacklogBatchSize = 20;
        });
        await pipeline.CreateTopicsAsync();
        var published = await pipeline.PublishAsync(hosts: 2, perHost: 50);
        // Every write waits for the test: it completes one once the batch after it was handed (or no record is left).
        var handler = new DeferredWritesHandler(_ => Write.Hold);
        await pipeline.StartLoopAsync(handler);

        await Eventually.TrueAsync(() => handler.Count >= 2, TimeSpan.FromSeconds(45), "the second batch is handed over while the first one's write is in flight");
        Assert.False(handler.Batch(0).Written.IsCompleted);
        // Records are waiting, but two batches are handled and unwritten: a third waits for the first one's write.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(2, handler.Count);

        await WriteInTurnAsync(handler, published.Count, TimeSpan.Zero);

        Assert.True(handler.Count >= 5, $"{handler.Count} batches");
        // Each batch after the first was handed over while the one before it was unwritten, and never while two were.
        Assert.All(Enumerable.Range(1, handler.Count - 1), i => Assert.Equal(1, handler.Batch(i).UnwrittenBefore));
        Assert.Equal(1, handler.MostInHandler);
        Assert.Empty(handler.OutOfOrder);
        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Written.Order(StringComparer.Ordinal));
        Assert.Equal(0, handler.PlainCalls);
    }

    [Fact]
    public async Task WhileAWriteIsInFlightTheLoopKeepsReadingSoABacklogReachesTheHandlerInBatchesLargerThanMaxBatchSize()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "dwbacklog", partitions: 1, consumer: c =>
        {
            c.MaxBatchSize = 20;
            c.MaxBacklogBatchSize = 100;
        });
        await pipeline.CreateTopicsAsync();
        // Published before the loop starts: a consumer that is behind, as after an outage or a burst.
        var published = await pipeline.PublishAsync(hosts: 2, perHost: 500);
        var handler = new DeferredWritesHandler(_ => Write.Hold);
        await pipeline.StartLoopAsync(handler);

        // Each write takes 300 ms (an alert publish and a state write on a slow store). The handler itself is instant, so
        // a loop that waited on the write with records ready would hand over MaxBatchSize records per write.
        await WriteInTurnAsync(handler, published.Count, TimeSpan.FromMilliseconds(300));

        var sizes = handler.Batches.Select(b => b.Handed).ToArray();
        // 1,000 records in batches of up to 100 are 10, plus the first few, cut before any write was in flight, and a
        // few cut short when librdkafka's queue was momentarily empty. A loop that blocked on each write with records
        // ready handed most of them over in batches of 20: about 40 batches.
        Assert.True(sizes.Length <= 18, $"batch sizes {string.Join(", ", sizes)}: the records read while a write was in flight should reach the handler together");
        Assert.True(sizes.Max() <= 100, $"batch sizes {string.Join(", ", sizes)}: one is over the backlog limit of 100");
        Assert.Equal(1, handler.MostInHandler);
        Assert.All(handler.Batches, b => Assert.True(b.UnwrittenBefore <= 1, $"batch {b.Index} was handed with {b.UnwrittenBefore} writes in flight"));
        Assert.Empty(handler.OutOfOrder);
        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Written.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AFailedWriteRewindsToItsBatchWithTheBatchHandledAfterItAndEveryRecordIsWrittenOnceInOrderWithNoneSkipped()
    {
        // Two partitions, one host on each, so that the batch handled after the failed one reads the other partition: the
        // rewind must cover the later batch's partitions too, not only the failed batch's.
        const int Partitions = 2;
        var hosts = Enumerable.Range(0, 100).Select(h => $"mac-{h:D4}").ToList();
        var onFirst = hosts.First(h => Murmur2Partitioner.Partition(h, Partitions) == 0);
        var onSecond = hosts.First(h => Murmur2Partitioner.Partition(h, Partitions) == 1);
        await using var pipeline = new KafkaTestPipeline(broker, "dwfail", partitions: Partitions, consumer: c =>
        {
            c.MaxBatchSize = 20;
            c.MaxBacklogBatchSize = 20;
            c.MaxBatchWait = TimeSpan.FromMilliseconds(200);
        });
        await pipeline.CreateTopicsAsync();
        // The first batch's write is held until the batch after it was handed, then failed; a later one fails at once.
        var handler = new DeferredWritesHandler(batch => batch.Index switch
        {
            0 => Write.Hold,
            5 => Write.Fail,
            _ => Write.Succeed,
        });
        var published = new List<string>();
        published.AddRange(await PublishAsync(pipeline, onFirst, 0, 20));
        await pipeline.StartLoopAsync(handler);
        await Eventually.TrueAsync(() => handler.Count >= 1, TimeSpan.FromSeconds(45), "the first batch is handled");
        published.AddRange(await PublishAsync(pipeline, onSecond, 0, 20));
        await Eventually.TrueAsync(() => handler.Count >= 2, TimeSpan.FromSeconds(20), "the second batch is handled while the first one's write is in flight");
        // Read behind the second batch while it and the first are unwritten.
        published.AddRange(await PublishAsync(pipeline, onFirst, 20, 80));
        published.AddRange(await PublishAsync(pipeline, onSecond, 20, 80));
        var failed = handler.Batch(0);
        var after = handler.Batch(1);
        Assert.Equal(1, after.UnwrittenBefore);
        failed.Fail();

        try
        {
            await Eventually.TrueAsync(() => handler.Written.Count >= published.Count, TimeSpan.FromSeconds(45), "every record is written");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(
                $"{e.Message} Written {handler.Written.Count} of {published.Count}; {handler.Rewinds} rewinds, {handler.Refused} batches refused; "
                + $"records out of order or skipped: {string.Join(", ", handler.OutOfOrder.Take(5))}", e);
        }

        Assert.Equal(2, handler.Rewinds);
        Assert.True(after.Written.IsFaulted, "the write of the batch handled after the failed one was not failed with it");
        // Rewound before the handler was handed a batch again: the first batch after the failure came after it.
        Assert.Equal(1, handler.Batch(2).RewindsBefore);
        Assert.True(handler.Refused <= 1, $"{handler.Refused} batches refused: the loop kept handing batches to a handler it had not told it rewound");
        // The failed batch and the one handled after it are handed again, from their first offsets on each partition.
        Assert.True(handler.Batches.Count(b => b.Handed > 0 && b.Ids.Contains(failed.Ids[0])) >= 2, "the failed batch is not handled again");
        Assert.True(handler.Batches.Count(b => b.Handed > 0 && b.Ids.Contains(after.Ids[0])) >= 2, "the batch handled after the failed one is not handled again");
        // Each partition's records reach the handler in order from what is written, none skipped nor repeated.
        Assert.Empty(handler.OutOfOrder);
        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Written.Order(StringComparer.Ordinal));
        Assert.Equal(0, handler.PlainCalls);
    }

    [Fact]
    public async Task WithOverlapWritesOffTheLoopCallsTheSerialHandleAndNeverTheDeferredOne()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "dwserial", consumer: c =>
        {
            c.MaxBatchSize = 20;
            c.MaxBacklogBatchSize = 20;
            c.OverlapWrites = false;
        });
        await pipeline.CreateTopicsAsync();
        var published = await pipeline.PublishAsync(hosts: 6, perHost: 20);
        var handler = new DeferredWritesHandler(_ => Write.Succeed);
        await pipeline.StartLoopAsync(handler);

        await Eventually.TrueAsync(() => handler.Written.Count >= published.Count, TimeSpan.FromSeconds(45), "every record is handled");

        Assert.Equal(0, handler.DeferredCalls);
        Assert.True(handler.PlainCalls > 0);
        Assert.Equal(published.Order(StringComparer.Ordinal), handler.Written.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ABatchWhoseDeadLettersFailedIsRewoundOnlyOnceItsOwnWritesCompleted()
    {
        await using var pipeline = await OnePartitionOfSmallBatchesAsync("dwdlq");
        // The dead-letter producer reaches no broker: every write times out.
        var refusing = pipeline.RefusingDeadLetters();
        // Valid records and an undecodable one in one batch: the handler takes the valid ones and holds their write.
        await pipeline.PublishAsync(hosts: 1, perHost: 5);
        await pipeline.PublishRawAsync("mac-0000", [0x00, 0x00, 0x00]);
        var handler = new DeferredWritesHandler(batch => batch.Index == 0 ? Write.Hold : Write.Succeed);
        await pipeline.StartLoopAsync(handler, UndecodableRecords.DeadLetter, refusing);

        await Eventually.TrueAsync(() => handler.Count >= 1, TimeSpan.FromSeconds(45), "the batch reaches the handler, which holds its write");
        await Eventually.TrueAsync(
            () => pipeline.Metrics.ProduceErrors.WithLabels(pipeline.DeadLetterTopic).Value >= 1,
            TimeSpan.FromSeconds(30),
            "the dead-letter write of the batch's undecodable record fails");
        // The batch is retried for its dead letters, but its own write is still in flight: the handler's memory can be put
        // back to the store only once that write completed.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        handler.Batch(0).Complete();

        await Eventually.TrueAsync(() => handler.Rewinds >= 1, TimeSpan.FromSeconds(30), "the loop rewinds to retry the batch");
        Assert.Equal(0, handler.InFlightAtRewound);
    }

    [Fact]
    public async Task AFailedDeadLetterWriteCountsTowardsStoppingAlsoWhenItsBatchIsRetriedWithAnEarlierFailedWrite()
    {
        await using var pipeline = await OnePartitionOfSmallBatchesAsync("dwdlqboth");
        // The dead-letter producer reaches no broker: every write times out (after 2 s).
        var refusing = pipeline.RefusingDeadLetters();
        await pipeline.PublishAsync(hosts: 1, perHost: 5);
        var handler = new DeferredWritesHandler(batch => batch.Index == 0 ? Write.Hold : Write.Succeed);
        await pipeline.StartLoopAsync(handler, UndecodableRecords.DeadLetter, refusing);
        await Eventually.TrueAsync(() => handler.Count >= 1, TimeSpan.FromSeconds(45), "the first batch reaches the handler, which holds its write");

        // The next batch holds only an undecodable record, whose dead-letter write fails while the first batch's state
        // write is still in flight; then that write fails too, and both batches are retried together.
        await pipeline.PublishRawAsync("mac-0000", [0x00, 0x00, 0x00]);
        await Eventually.TrueAsync(
            () => pipeline.Metrics.ProduceErrors.WithLabels(pipeline.DeadLetterTopic).Value >= 1,
            TimeSpan.FromSeconds(30),
            "the dead-letter write of the second batch fails");
        handler.Batch(0).Fail();

        await Eventually.TrueAsync(() => handler.Rewinds >= 1, TimeSpan.FromSeconds(30), "the loop rewinds to retry both batches");
        // Counted before the rewind; the retry's own dead-letter write needs another 2 s to fail.
        Assert.Equal(1, pipeline.Metrics.DeadLetterFailures.WithLabels(pipeline.Group).Value);
    }

    /// <summary>A pipeline whose topics are created, of one partition read in batches of at most 20 records.</summary>
    private async Task<KafkaTestPipeline> OnePartitionOfSmallBatchesAsync(string name)
    {
        var pipeline = new KafkaTestPipeline(broker, name, partitions: 1, consumer: c =>
        {
            c.MaxBatchSize = 20;
            c.MaxBacklogBatchSize = 20;
            c.MaxBatchWait = TimeSpan.FromMilliseconds(200);
        });
        await pipeline.CreateTopicsAsync();
        return pipeline;
    }

    private static async Task<IReadOnlyList<string>> PublishAsync(KafkaTestPipeline pipeline, string host, int from, int count)
    {
        var records = Enumerable.Range(from, count).Select(n => KeyValuePair.Create(host, KafkaTestPipeline.Event(host, n))).ToList();
        await pipeline.Publisher.PublishBatchAsync(records);
        return records.Select(r => r.Value.Event.Id).ToList();
    }

    private enum Write
    {
        /// <summary>The batch's write completes as soon as the one before it did.</summary>
        Succeed,

        /// <summary>The batch's write fails (once the one before it completed).</summary>
        Fail,

        /// <summary>The batch's write is in flight until the test completes or fails it.</summary>
        Hold,
    }

    /// <summary>
    /// Completes the held writes one at a time, in order, each once the batch after it was handed over (or every record
    /// was) and <paramref name="writeTime"/> later, until all <paramref name="records"/> are written.
    /// </summary>
    private static async Task WriteInTurnAsync(DeferredWritesHandler handler, int records, TimeSpan writeTime)
    {
        for (var written = 0; handler.Written.Count < records; written++)
        {
            await Eventually.TrueAsync(
                () => handler.Count > written + 1 || (handler.Count > written && handler.Handed >= records),
                TimeSpan.FromSeconds(20),
                $"batch {written + 1} is handed over while batch {written}'s write is in flight");
            if (writeTime > TimeSpan.Zero)
            {
                await Task.Delay(writeTime, TestContext.Current.CancellationToken);
            }

            handler.Batch(written).Complete();
            await Eventually.TrueAsync(() => handler.Batch(written).Written.IsCompleted, TimeSpan.FromSeconds(5), $"batch {written} is written");
        }
    }

    /// <summary>A batch the handler took, with its write, which the test can complete or fail.</summary>
    private sealed class HandedBatch(int index, int unwrittenBefore, int rewindsBefore, (int Partition, long Offset, string Id)[] records)
    {
        private readonly TaskCompletionSource sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Order in which the handler took it (refused batches not counted).</summary>
        public int Index { get; } = index;

        /// <summary>How many batches handed before it had writes in flight when it was handed.</summary>
        public int UnwrittenBefore { get; } = unwrittenBefore;

        /// <summary>How many times the loop had said it rewound when this batch was handed.</summary>
        public int RewindsBefore { get; } = rewindsBefore;

        public (int Partition, long Offset, string Id)[] Records { get; } = records;

        public string[] Ids => Records.Select(r => r.Id).ToArray();

        public int Handed => Records.Length;

        /// <summary>The durability task handed back to the loop.</summary>
        public Task Written { get; set; } = Task.CompletedTask;

        public Task Sent => sent.Task;

        public long LastOffset(int partition) => Records.Where(r => r.Partition == partition).Max(r => r.Offset);

        public void Complete() => sent.TrySetResult();

        public void Fail() => sent.TrySetException(new InvalidOperationException("State write refused (simulated by the test handler)."));
    }

    /// <summary>
    /// Keeps what a correlator keeps, reduced to offsets: its memory (the last offset handled per partition) and the
    /// store (the last offset written). A batch's write is sent once the previous one's completed and fails unsent when
    /// that one failed; after a failed write the handler refuses batches until the loop says it rewound, and then puts its
    /// memory back to the store. Each record it takes must be the one after its memory's last of that partition.
    /// </summary>
    private sealed class DeferredWritesHandler(Func<HandedBatch, Write> decide) : IDeferredDurabilityHandler<TelemetryEvent>
    {
        private readonly Lock sync = new();
        private readonly List<HandedBatch> batches = [];
        private readonly Dictionary<int, long> memory = [];
        private readonly Dictionary<int, long> store = [];
        private readonly List<string> written = [];
        private readonly List<string> outOfOrder = [];
        private Task last = Task.CompletedTask;
        private bool refusing;
        private int inHandler;
        private int handed;
        private int mostInHandler;
        private int rewinds;
        private int inFlightAtRewound;
        private int refused;
        private int plainCalls;
        private int deferredCalls;

        public int Count
        {
            get
            {
                lock (sync)
                {
                    return batches.Count;
                }
            }
        }

        public IReadOnlyList<HandedBatch> Batches
        {
            get
            {
                lock (sync)
                {
                    return [.. batches];
                }
            }
        }

        /// <summary>Records taken (retries included).</summary>
        public int Handed => Volatile.Read(ref handed);

        /// <summary>Ids of the records written, in the order their writes completed.</summary>
        public IReadOnlyList<string> Written
        {
            get
            {
                lock (sync)
                {
                    return [.. written];
                }
            }
        }

        public IReadOnlyList<string> OutOfOrder
        {
            get
            {
                lock (sync)
                {
                    return [.. outOfOrder];
                }
            }
        }

        public int MostInHandler => Volatile.Read(ref mostInHandler);

        public int Rewinds => Volatile.Read(ref rewinds);

        /// <summary>Writes still in flight when the loop said it rewound (the contract has none: it waits for them first).</summary>
        public int InFlightAtRewound => Volatile.Read(ref inFlightAtRewound);

        public int Refused => Volatile.Read(ref refused);

        public int PlainCalls => Volatile.Read(ref plainCalls);

        public int DeferredCalls => Volatile.Read(ref deferredCalls);

        public HandedBatch Batch(int index)
        {
            lock (sync)
            {
                return batches[index];
            }
        }

        /// <summary>The serial form: the batch is written before it returns.</summary>
        public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref plainCalls);
            await Task.Yield();
            lock (sync)
            {
                var records = Take(batch);
                Store(records);
            }
        }

        public async Task<Task> HandleDeferredAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref deferredCalls);
            var now = Interlocked.Increment(ref inHandler);
            InterlockedMax(ref mostInHandler, now);
            try
            {
                await Task.Yield();
                HandedBatch taken;
                lock (sync)
                {
                    if (refusing)
                    {
                        refused++;
                        throw new InvalidOperationException("A state write failed and the consume loop has not rewound yet: batch refused.");
                    }

                    var unwrittenBefore = batches.Count(b => !b.Written.IsCompleted);
                    taken = new HandedBatch(batches.Count, unwrittenBefore, rewinds, Take(batch));
                    taken.Written = WriteAsync(last, taken);
                    last = taken.Written;
                    batches.Add(taken);
                }

                switch (decide(taken))
                {
                    case Write.Succeed:
                        taken.Complete();
                        break;
                    case Write.Fail:
                        taken.Fail();
                        break;
                }

                return taken.Written;
            }
            finally
            {
                Interlocked.Decrement(ref inHandler);
            }
        }

        public void Rewound()
        {
            Task[] inFlight;
            lock (sync)
            {
                inFlight = batches.Select(b => b.Written).Where(w => !w.IsCompleted).ToArray();
            }

            Interlocked.Add(ref inFlightAtRewound, inFlight.Length);

            // Writes after a failed one fail unsent; the memory goes back to the store once they did.
            Task.WhenAll(inFlight).ContinueWith(static _ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(10));
            lock (sync)
            {
                rewinds++;
                refusing = false;
                last = Task.CompletedTask;
                memory.Clear();
                foreach (var (partition, offset) in store)
                {
                    memory[partition] = offset;
                }
            }
        }

        /// <summary>Checks the records against the memory and moves it on; copies what the test looks at (the loop reuses the values).</summary>
        private (int Partition, long Offset, string Id)[] Take(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch)
        {
            var records = new (int Partition, long Offset, string Id)[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                var record = batch[i];
                var expected = memory.TryGetValue(record.Partition, out var previous) ? previous + 1 : 0;
                if (record.Offset != expected)
                {
                    outOfOrder.Add($"[{record.Partition}]@{record.Offset} after {expected - 1}");
                }

                memory[record.Partition] = record.Offset;
                records[i] = (record.Partition, record.Offset, record.Value.Event.Id);
            }

            Interlocked.Add(ref handed, batch.Count);
            return records;
        }

        private void Store((int Partition, long Offset, string Id)[] records)
        {
            foreach (var (partition, offset, id) in records)
            {
                store[partition] = offset;
                written.Add(id);
            }
        }

        private async Task WriteAsync(Task previous, HandedBatch batch)
        {
            try
            {
                await previous;
            }
            catch
            {
                lock (sync)
                {
                    refusing = true;
                }

                throw new InvalidOperationException("State write not sent: an earlier batch's write failed.");
            }

            try
            {
                await batch.Sent;
            }
            catch
            {
                lock (sync)
                {
                    refusing = true;
                }

                throw;
            }

            lock (sync)
            {
                Store(batch.Records);
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
