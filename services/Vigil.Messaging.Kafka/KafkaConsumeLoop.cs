using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// The at-least-once consume loop every Vigil service runs: a blocking loop on its own thread that
/// gathers records into batches, sends undecodable ones to the dead-letter topic, hands the rest to
/// an <see cref="IRecordBatchHandler{T}"/>, and stores offsets only after both succeeded.
/// </summary>
/// <remarks>
/// Delivery semantics, decided here:
/// <list type="bullet">
/// <item>Offsets are stored (and then committed in the background) only for batches whose handler
/// returned and whose dead letters were acknowledged, so a crash replays at most the batches since
/// the last commit and never skips one.</item>
/// <item>Batches are handled one at a time, in the order they were read, so a partition's (a host's) records are
/// handled in order. While the handler works on one batch (on the thread pool), the loop reads and decodes the
/// next, and lets it grow up to <see cref="KafkaConsumerSettings.MaxBacklogBatchSize"/> while the handler is still
/// busy (or, for a deferred-durability handler, while the write of the batch before the one in hand is in flight); it
/// hands it over only once the previous batch was handled and its offsets stored
/// (<see cref="KafkaConsumerSettings.OverlapBatches"/>). A rebalance first waits for the batch in hand.</item>
/// <item>A handler whose writes may complete after it returns (<see cref="IDeferredDurabilityHandler{T}"/>) is handed
/// the next batch at once; the loop stores a batch's offsets only once its writes completed, in order, and when they
/// failed rewinds to that batch (the one handled after it with it) before the handler takes batches again
/// (<see cref="KafkaConsumerSettings.OverlapWrites"/>).</item>
/// <item>A failed batch is not skipped: its partitions are rewound to the batch's first offsets and
/// consumed again after a backoff. Handlers must be idempotent for replays.</item>
/// <item>On an orderly revocation (rebalance, shutdown) the handler flushes state for the revoked
/// partitions, then their handled offsets are committed synchronously, so the next owner starts
/// exactly after what was handled. Records of revoked partitions still waiting in the batch being
/// gathered are dropped here: the next owner reads them.</item>
/// <item>Lost partitions (session timeout) are not committed: another member may own them already.</item>
/// <item>An undecodable record never blocks its partition: it is dead-lettered (as a bounded copy when
/// too large to copy whole) or, for groups reading the already-validated canonical topic, counted and
/// skipped. When the dead-letter topic keeps refusing writes the loop stops loudly (readiness false, a
/// critical log line, vigil_consumer_stopped) instead of retrying the same batch quietly forever.</item>
/// <item>Records lost before the loop read them are counted, never silent: when a partition's next record comes after a
/// hole in its offsets (records deleted by retention before this consumer reached them; librdkafka then resets the
/// position by auto.offset.reset), the hole is counted in vigil_kafka_records_skipped_total and logged as a warning. The
/// loop's own seeks and rebalances move the expected offset with them, so they are never counted.</item>
/// </list>
/// Per record the loop does no more than it must (see docs/benchmarks.md): records are taken from librdkafka's queue
/// without Confluent's per-record objects (<see cref="DirectConsumer{T}"/>), values are decoded straight from
/// librdkafka's buffer by <see cref="RecordReader{T}"/>, the topic name is read only when several topics are, an
/// undecodable record's headers only when its copy is dead-lettered (the copy keeps them), and metrics, offsets and
/// logs are per batch and partition, never per record.
/// </remarks>
public sealed class KafkaConsumeLoop<T> : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the loop waits for a first record while a batch is in hand: it stores that batch's offsets once handled.</summary>
    private static readonly TimeSpan InHandPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan GroupLagCheckInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BrokerQueryTimeout = TimeSpan.FromSeconds(5);
    private readonly KafkaConsumerRegistration registration;
    private readonly KafkaClientConfigFactory configs;
    private readonly RecordReader<T> reader;
    private readonly IRecordBatchHandler<T> handler;
    private readonly DeadLetterPublisher deadLetters;
    private readonly ConsumerLoopHealth health;
    private readonly KafkaMetrics metrics;
    private readonly ILogger<KafkaConsumeLoop<T>> logger;
    private readonly KafkaConsumerSettings settings;
    private readonly List<ConsumedRecord<T>> gathering = [];
    private readonly List<(ConsumeResult<byte[]?, byte[]?> Record, string Reason, string Error)> undecodable = [];

    /// <summary>First and last offset and record count of each partition in the batch being gathered.</summary>
    private readonly Dictionary<(string Topic, int Partition), PartitionSpan> spans = [];

    /// <summary>
    /// The run of records of one partition being gathered, merged into <see cref="spans"/> when another partition's
    /// record arrives or the batch is handled: librdkafka hands a partition's fetched records over one after the other,
    /// so the dictionary is touched once per run instead of once per record.
    /// </summary>
    private (string Topic, int Partition, PartitionSpan Span)? run;
    private readonly Dictionary<TopicPartition, Offset> stored = [];

    /// <summary>
    /// Per owned partition, the offset its next record must carry if none was skipped: one past the last record the loop
    /// handed on (updated per run of a partition's records, see <see cref="EndRun"/>), the target of the loop's own seek,
    /// or, when the loop has read nothing of the partition since it was assigned, the position librdkafka's offset reset
    /// left. Unknown (absent) right after an assignment: where a new owner starts is the committed offset, not a hole.
    /// </summary>
    private readonly Dictionary<(string Topic, int Partition), long> expectedNext = [];

    /// <summary>Offset resets librdkafka logged (on its own threads), taken by the consume thread when a run of records starts.</summary>
    private readonly ConcurrentQueue<OffsetResetNotice> resets = new();

    /// <summary>Topics whose offsets have holes by design (compacted): not checked for skipped records.</summary>
    private readonly HashSet<string> compacted;
    private readonly Dictionary<string, Counter.Child> consumed = new(StringComparer.Ordinal);

    /// <summary>A batch's offsets to store, and what storing each gave (reused: one batch at a time).</summary>
    private readonly List<TopicPartitionOffset> toStore = [];
    private readonly List<ErrorCode> storeErrors = [];
    private readonly Counter.Child handlerWait;
    private readonly Counter.Child writeWait;
    private readonly Histogram.Child handlerQueue;
    private readonly HashSet<TopicPartition> owned = [];
    private readonly HashSet<TopicPartition> lagReported = [];
    private readonly LogThrottle throttle = new();
    private readonly string group;

    /// <summary>The one topic read, when only one is: librdkafka's name for it is then not marshalled per record.</summary>
    private readonly string? onlyTopic;

    /// <summary>Reads the consumer's queue without Confluent's per-record objects; null where it could not bind (see <see cref="DirectConsumer{T}"/>).</summary>
    private DirectConsumer<T>? direct;
    private int gathered;

    /// <summary>Whether the next batch is read while the previous one is handled (<see cref="KafkaConsumerSettings.OverlapBatches"/>, and a decoder that allows it).</summary>
    private readonly bool overlap;

    /// <summary>The batch the handler has, if any: its offsets are stored once it was handled (<see cref="Settle"/>).</summary>
    private BatchInHand? inHand;

    /// <summary>
    /// A batch handled whose writes were still in flight (an <see cref="IDeferredDurabilityHandler{T}"/>): its offsets
    /// are stored once they completed, before the next batch's (<see cref="SettleUnwritten"/>).
    /// </summary>
    private BatchInHand? unwritten;

    /// <summary>The handler, when it can be handed the next batch while the previous one's writes are in flight (<see cref="KafkaConsumerSettings.OverlapWrites"/>).</summary>
    private readonly IDeferredDurabilityHandler<T>? deferred;

    // The handler's per-record work done on this loop's thread right after decoding (see IRecordPreparer).
    private readonly IRecordPreparer<T>? preparer;

    /// <summary>
    /// A batch whose handler had not returned within twice the shutdown grace of a stop: its offsets are not stored (the
    /// next owner replays it), and the loop waits for it no more, so a handler that ignores its token cannot hold the
    /// shutdown (nor consumer.Close's revocation callback) forever. Kept so the last wait, bounded, can be given to it.
    /// </summary>
    private BatchInHand? abandoned;

    /// <summary>The host's stop request: from then on every wait for the handler is bounded, even one already under way.</summary>
    private CancellationToken stopToken;

    /// <summary>A batch whose handling failed: the loop rewinds to it and retries after a backoff.</summary>
    private BatchInHand? failedBatch;
    private TimeSpan backoff;
    private KafkaException? fatal;
    private volatile bool brokersDown;
    private int consecutiveFailures;
    private int deadLetterFailures;
    private string? lastFailure;
    private long unassignedSince = Stopwatch.GetTimestamp();
    private long lastGroupLagCheck;
    private bool idleWhileGroupLags;

    public KafkaConsumeLoop(
        KafkaConsumerRegistration registration,
        KafkaClientConfigFactory configs,
        IRecordDecoder<T> decoder,
        IRecordBatchHandler<T> handler,
        DeadLetterPublisher deadLetters,
        ConsumerLoopHealth health,
        KafkaMetrics metrics,
        ILogger<KafkaConsumeLoop<T>> logger)
    {
        this.registration = registration;
        this.configs = configs;
        reader = new RecordReader<T>(decoder);
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.health = health;
        this.metrics = metrics;
        this.logger = logger;
        settings = configs.Options.Consumer;
        group = registration.GroupId;
        onlyTopic = registration.Topics.Count == 1 ? registration.Topics[0] : null;
        overlap = settings.OverlapBatches && reader.CanOverlap;
        deferred = overlap && settings.OverlapWrites ? handler as IDeferredDurabilityHandler<T> : null;
        preparer = handler as IRecordPreparer<T>;
        compacted = new HashSet<string>(registration.CompactedTopics ?? [], StringComparer.Ordinal);
        handlerWait = metrics.HandlerWait.WithLabels(group);
        writeWait = metrics.WriteWait.WithLabels(group);
        handlerQueue = metrics.HandlerQueue.WithLabels(group);
        backoff = settings.RetryBackoff;
        PrecreateMetrics();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Every metric the docs name exists from start-up, at zero, for this group and its topics.</summary>
    private void PrecreateMetrics()
    {
        foreach (var topic in registration.Topics)
        {
            metrics.RecordsConsumed.WithLabels(topic, group);
        }

        metrics.HandlerFailures.WithLabels(group);
        metrics.HandlerDuration.WithLabels(group);
        metrics.HandlerQueue.WithLabels(group);
        metrics.HandlerWait.WithLabels(group);
        metrics.WriteWait.WithLabels(group);
        metrics.AssignedPartitions.WithLabels(group).Set(0);
        foreach (var kind in new[] { "assigned", "revoked", "lost" })
        {
            metrics.Rebalances.WithLabels(group, kind);
        }

        metrics.DeadLetterFailures.WithLabels(group);
        metrics.ConsumerStopped.WithLabels(group).Set(0);
        metrics.ConsumerStalled.WithLabels(group).Set(0);
        metrics.BrokersReachable.WithLabels(group).Set(1);
    }

    private void Run(CancellationToken stopping)
    {
        health.Report(group, ConsumerLoopHealth.LoopState.Starting);
        using var handlerCancellation = new CancellationTokenSource();
        // The batch in hand may finish after a stop request; only past the grace is it abandoned.
        using var graceRegistration = stopping.Register(() => handlerCancellation.CancelAfter(settings.ShutdownGrace));
        stopToken = stopping;
        var consumer = Build();
        try
        {
            if (!settings.ReadDirect)
            {
                logger.LogInformation("Consumer group {Group} reads records through Confluent's Consume (Kafka:Consumer:ReadDirect is false)", group);
            }
            else
            {
                direct = DirectConsumer<T>.TryCreate(consumer, reader, topicNames: onlyTopic is null, headers: registration.Undecodable == UndecodableRecords.DeadLetter, out var unbound);
                if (direct is null)
                {
                    logger.LogWarning("Consumer group {Group} reads records through Confluent's Consume, which allocates several objects per record: {Reason}", group, unbound);
                }
            }

            consumer.Subscribe(registration.Topics);
            logger.LogInformation(
                "Consumer group {Group} subscribed to {Topics} (instance {Instance}, protocol {Protocol}, undecodable records: {Undecodable})",
                group, string.Join(", ", registration.Topics), configs.GroupInstanceId ?? "dynamic", settings.GroupProtocol, registration.Undecodable);
            var stoppedForGood = false;
            while (!stopping.IsCancellationRequested)
            {
                if (fatal is not null)
                {
                    throw fatal;
                }

                Gather(consumer);
                CheckIdleGroupLag(consumer);
                ReportState();
                if (failedBatch is null && gathered > 0 && stopping.IsCancellationRequested)
                {
                    // Not handed over only to be cancelled part-way: its offsets are not stored, so the next owner reads it.
                    logger.LogInformation("{Group} stops with {Count} gathered records not handed over; their offsets are not stored, so the next owner reads them", group, gathered);
                    ClearGathered(release: true);
                    break;
                }

                if (failedBatch is null && gathered > 0)
                {
                    // One batch at a time, in order: the one in hand is handled (and its offsets stored) first; with a
                    // deferred-durability handler, its writes may still be in flight, the one's before it are not.
                    Settle(consumer, batchReady: true, keepUnwritten: true);
                    if (failedBatch is null && abandoned is null)
                    {
                        HandOver(handlerCancellation.Token);
                        if (!overlap)
                        {
                            Settle(consumer);
                        }
                    }
                }

                if (failedBatch is not { } failed)
                {
                    continue;
                }

                failedBatch = null;
                var outcome = Failed(consumer, failed);
                if (outcome == BatchOutcome.StopForGood)
                {
                    stoppedForGood = true;
                    break;
                }

                if (outcome == BatchOutcome.Abandoned)
                {
                    continue; // its partitions went to another owner: nothing to wait for, the new ones are read at once
                }

                ReportState();
                stopping.WaitHandle.WaitOne(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxRetryBackoff.Ticks));
            }

            // The batch in hand finishes before the last commit: its handler is cancelled once the shutdown grace has passed
            // since the stop request, and gets as long again to return; one that still has not is abandoned, its offsets
            // unstored (the next owner replays it), and the wait in finally is the last it gets.
            // Settle bounds its wait once a stop was requested (see AbandonedOnStop).
            Settle(consumer);

            CommitHandled(consumer, stored.Keys.ToList(), "shutdown");
            // Close leaves the group; its revocation callback flushes handler state once more.
            consumer.Close();
            if (stoppedForGood)
            {
                // Not ready, and stays so: the process keeps serving health and metrics so the stop is visible.
                metrics.ConsumerStopped.WithLabels(group).Set(1);
                health.Report(group, ConsumerLoopHealth.LoopState.Faulted, lastFailure);
                return;
            }

            health.Report(group, ConsumerLoopHealth.LoopState.Stopped);
            logger.LogInformation("Consumer group {Group} closed", group);
        }
        catch (Exception e)
        {
            metrics.ConsumerStopped.WithLabels(group).Set(1);
            health.Report(group, ConsumerLoopHealth.LoopState.Faulted, e.Message);
            logger.LogCritical(e, "Consume loop of {Group} stopped on a fatal error", group);
            throw;
        }
        finally
        {
            // A handler still running (the loop failed, or ignored the cancellation) must not outlive the consumer it was
            // handed records of: cancel it first (nothing else will), then give it the grace to return.
            handlerCancellation.Cancel();
            (inHand ?? abandoned)?.Work.Wait(settings.ShutdownGrace);
            consumer.Dispose();
        }
    }

    private IConsumer<string?, DecodedValue<T>> Build()
    {
        var config = configs.Consumer(group);
        // Fields Confluent copies into every ConsumeResult (where the loop consumes through Consume, see DirectConsumer):
        // the topic name only when several topics are read, the headers only when undecodable records are dead-lettered
        // (the copy keeps the original headers).
        List<string> fields = ["timestamp"];
        if (onlyTopic is null)
        {
            fields.Add("topic");
        }

        if (registration.Undecodable == UndecodableRecords.DeadLetter)
        {
            fields.Add("headers");
        }

        config.ConsumeResultFields = string.Join(",", fields);
        return new ConsumerBuilder<string?, DecodedValue<T>>(config)
            .SetKeyDeserializer(reader)
            .SetValueDeserializer(reader)
            .SetLogHandler((_, m) =>
            {
                if (OffsetResetNotice.TryParse(m.Level, m.Facility, m.Message, out var reset))
                {
                    OnOffsetReset(reset);
                }
                else if (OffsetResetNotice.Mentioned(m.Level, m.Facility, m.Message) && throttle.TryPass("OFFSET-unparsed", out var unparsed))
                {
                    // A reset whose records go uncounted: say so, rather than let the skipped-records metric read 0.
                    logger.LogWarning("An offset reset in {Group} was not recognised, so records it skipped are not counted: {Message}{Suppressed}", group, m.Message, KafkaLog.Suppressed(unparsed));
                }

                if (throttle.TryPass(KafkaLog.Key(m.Facility, m.Message), out var suppressed))
                {
                    logger.Log(KafkaLog.Level(m.Level), "librdkafka {Facility}: {Message}{Suppressed}", m.Facility, m.Message, KafkaLog.Suppressed(suppressed));
                }
            })
            .SetErrorHandler((_, e) =>
            {
                if (e.IsFatal)
                {
                    fatal = new KafkaException(e);
                }

                if (e.Code == ErrorCode.Local_AllBrokersDown)
                {
                    brokersDown = true;
                }

                var suppressed = 0L;
                if (e.IsFatal || throttle.TryPass(e.Code.ToString(), out suppressed))
                {
                    logger.Log(e.IsFatal ? LogLevel.Critical : LogLevel.Warning, "Kafka consumer error in {Group} {Code}: {Reason}{Suppressed}", group, e.Code, e.Reason, KafkaLog.Suppressed(suppressed));
                }
            })
            .SetStatisticsHandler((_, json) => OnStatistics(json))
            .SetPartitionsAssignedHandler((c, partitions) => OnAssigned(c, partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((c, partitions) => OnLost(c, partitions.Select(p => p.TopicPartition).ToList()))
            .Build();
    }

    /// <summary>
    /// Waits for a first record, then fills the batch until it is due (full, or MaxBatchWait passed) and the handler is
    /// free (<see cref="HandlerFree"/>); while the handler is still busy with the batch in hand, or the write of the batch
    /// before it is in flight, a due batch takes the records already waiting, up to MaxBacklogBatchSize, and is never held
    /// back for more.
    /// </summary>
    /// <remarks>
    /// Records librdkafka has already fetched are taken without a timeout, which spares reading the clock (here and in
    /// librdkafka) for each of them; only when none is waiting does the loop wait, for what is left of MaxBatchWait.
    /// While records keep coming ready the clock is read once per 256 of them, so a large MaxBatchSize still ends its
    /// batch about MaxBatchWait after the first record. While nothing arrives, the batch in hand is settled within a
    /// poll (5 ms) of being handled and of the write before it completing, so its offsets are stored without waiting for
    /// the next record.
    /// </remarks>
    private void Gather(IConsumer<string?, DecodedValue<T>> consumer)
    {
        var started = 0L;
        var due = false;
        while (failedBatch is null)
        {
            if (gathered == 0)
            {
                if (inHand is { Work.IsCompleted: true } && HandlerFree)
                {
                    Settle(consumer, keepUnwritten: true);
                    continue;
                }

                if (inHand is null && unwritten is { Result.Durable.IsCompleted: true })
                {
                    SettleUnwritten(consumer);
                    continue;
                }

                var polled = TryConsume(consumer, inHand is null && unwritten is null ? IdlePoll : InHandPoll, out var first);
                if (polled == PollOutcome.Failed)
                {
                    continue;
                }

                if (polled == PollOutcome.None)
                {
                    return;
                }

                // A new batch (also after a rebalance dropped all that was gathered): its own clock, not yet due.
                started = Stopwatch.GetTimestamp();
                due = false;
                Add(in first);
                continue;
            }

            due = due || gathered >= settings.MaxBatchSize || ((gathered & 255) == 0 && Stopwatch.GetElapsedTime(started) >= settings.MaxBatchWait);
            if (due && (HandlerFree || gathered >= settings.BacklogBatchLimit))
            {
                return;
            }

            if (TryConsume(consumer, TimeSpan.Zero, out var ready) == PollOutcome.Record)
            {
                Add(in ready);
                continue;
            }

            if (due)
            {
                return;
            }

            var timeout = settings.MaxBatchWait - Stopwatch.GetElapsedTime(started);
            if (timeout <= TimeSpan.Zero)
            {
                return;
            }

            var outcome = TryConsume(consumer, timeout, out var result);
            if (outcome == PollOutcome.Failed)
            {
                continue;
            }

            if (outcome == PollOutcome.None)
            {
                return;
            }

            Add(in result);
        }
    }

    /// <summary>
    /// Whether the handler could take a batch now without the loop waiting first: none in hand, or the one in hand is
    /// handled and no earlier batch's writes are still in flight. Settling a handled batch while the batch before it is
    /// still being written waits for that write (their offsets are stored in order, and one batch at a time may wait for
    /// its writes), so until the write completes the loop goes on reading into the batch it gathers, up to
    /// MaxBacklogBatchSize, rather than blocking with records waiting. A consumer that is behind thus hands over larger
    /// batches, and its rate is not capped at one MaxBatchSize per write round trip (alert publish, then state write).
    /// A batch in hand that failed is settled at once (its rewind waits for the earlier write anyway), rather than
    /// reading on into records the rewind would discard.
    /// </summary>
    private bool HandlerFree =>
        inHand is null
        || (inHand.Work.IsCompleted
            && (unwritten?.Result.Durable is not { IsCompleted: false } || !inHand.Work.IsCompletedSuccessfully || inHand.Work.Result.Failure is not null));

    /// <summary>
    /// The next record (<see cref="PollOutcome.Record"/>), none within <paramref name="timeout"/>, or
    /// <see cref="PollOutcome.Failed"/> after a consume error (logged). Straight from librdkafka's queue where
    /// <see cref="DirectConsumer{T}"/> could bind, else through Confluent's <c>Consume</c>.
    /// </summary>
    private PollOutcome TryConsume(IConsumer<string?, DecodedValue<T>> consumer, TimeSpan timeout, out PolledRecord<T> record)
    {
        try
        {
            if (direct is not null)
            {
                return direct.Poll(timeout, out record);
            }

            var result = consumer.Consume(timeout);
            if (result is null)
            {
                record = default;
                return PollOutcome.None;
            }

            var message = result.Message;
            record = new PolledRecord<T>(result.Topic, result.Partition.Value, result.Offset.Value, message.Key, message.Timestamp, message.Value, message.Headers);
            return PollOutcome.Record;
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            if (throttle.TryPass("consume:" + e.Error.Code, out var suppressed))
            {
                logger.LogWarning("Consume error in {Group}: {Reason}{Suppressed}", group, e.Error.Reason, KafkaLog.Suppressed(suppressed));
            }

            record = default;
            return PollOutcome.Failed;
        }
    }

    private ulong Prepare(T value)
    {
        if (preparer is null)
        {
            return 0;
        }

        try
        {
            return preparer.Prepare(value);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Unprepared: the handler works the record out itself and meets the same failure where failures are handled.
            // Said (throttled), so a preparer that always fails is not consume-thread work for nothing that no one sees.
            if (throttle.TryPass("prepare:" + e.GetType().Name, out var suppressed))
            {
                logger.LogWarning(e, "Preparing a record failed in {Group}; the handler works it out itself{Suppressed}", group, KafkaLog.Suppressed(suppressed));
            }

            return 0;
        }
    }

    private void Add(in PolledRecord<T> record)
    {
        var topic = onlyTopic ?? record.Topic!;
        var partition = record.Partition;
        var offset = record.Offset;
        var value = record.Value;
        if (value.Unexpected is not null)
        {
            // Not a verdict on the record: a decoder bug stops the loop, as it always did.
            ExceptionDispatchInfo.Throw(value.Unexpected);
        }

        if (value.Failure is { } failure)
        {
            var raw = new ConsumeResult<byte[]?, byte[]?>
            {
                TopicPartitionOffset = new TopicPartitionOffset(topic, partition, offset),
                Message = new Message<byte[]?, byte[]?> { Key = value.RawKey, Value = value.RawValue, Timestamp = record.Timestamp, Headers = record.Headers },
            };
            undecodable.Add((raw, failure.Reason, failure.Message));
        }
        else
        {
            gathering.Add(new ConsumedRecord<T>(topic, partition, offset, record.Key, record.Timestamp.UtcDateTime, value.Value!) { Preparation = Prepare(value.Value!) });
        }

        if (run is { } current && current.Partition == partition && string.Equals(current.Topic, topic, StringComparison.Ordinal))
        {
            if (offset != current.Span.Last + 1)
            {
                Hole(topic, partition, current.Span.Last + 1, offset);
            }

            run = (topic, partition, current.Span with { Last = offset, Count = current.Span.Count + 1 });
        }
        else
        {
            EndRun();
            if (!resets.IsEmpty)
            {
                TakeResets();
            }

            if (expectedNext.TryGetValue((topic, partition), out var next) && offset != next)
            {
                Hole(topic, partition, next, offset);
            }

            run = (topic, partition, new PartitionSpan(offset, offset, 1));
        }

        gathered++;
    }

    /// <summary>Merges the run being gathered into <see cref="spans"/>, which then covers every record gathered.</summary>
    private void EndRun()
    {
        if (run is not { } ended)
        {
            return;
        }

        run = null;
        ref var span = ref CollectionsMarshal.GetValueRefOrAddDefault(spans, (ended.Topic, ended.Partition), out var exists);
        span = exists ? span with { Last = ended.Span.Last, Count = span.Count + ended.Span.Count } : ended.Span;
        expectedNext[(ended.Topic, ended.Partition)] = ended.Span.Last + 1;
    }

    /// <summary>
    /// The next record of a partition came after a hole: offsets <paramref name="expected"/> up to <paramref name="offset"/>
    /// were never read, so the handler never saw those records. On Vigil's topics (delete policy, no transactions) every
    /// offset holds a record, and the loop's own seeks and rebalances re-baseline <see cref="expectedNext"/>, so a hole is
    /// loss: records deleted by retention before this consumer reached them (librdkafka then resets the position, see
    /// <see cref="OnOffsetReset"/>). A record before the expected offset is a re-read, not a loss.
    /// </summary>
    private void Hole(string topic, int partition, long expected, long offset)
    {
        if (offset < expected || compacted.Contains(topic))
        {
            return;
        }

        var count = offset - expected;
        var skipped = metrics.RecordsSkipped.WithLabels(group, topic, partition.ToString(CultureInfo.InvariantCulture));
        skipped.Inc(count);
        if (throttle.TryPass($"skipped:{topic}:{partition}", out var suppressed))
        {
            logger.LogWarning(
                "{Group} SKIPPED {Count} records of {Topic}[{Partition}]: offsets {From} to {To} were never read (the next record came at {Offset}), "
                + "most likely deleted by retention before this consumer reached them; {Total} skipped on this partition since start{Suppressed}",
                group, count, topic, partition, expected, offset - 1, offset, (long)skipped.Value, KafkaLog.Suppressed(suppressed));
        }
    }

    /// <summary>On librdkafka's thread: counts the reset; its position is taken by the consume thread (<see cref="TakeResets"/>).</summary>
    private void OnOffsetReset(OffsetResetNotice reset)
    {
        metrics.OffsetResets.WithLabels(group, reset.Topic, reset.Partition.ToString(CultureInfo.InvariantCulture)).Inc();
        if (reset.At is not null)
        {
            resets.Enqueue(reset);
        }
    }

    /// <summary>
    /// Where a partition the loop has read nothing of since its assignment was reset from (its committed offset was
    /// deleted by retention, e.g. after a long outage): that is where the records never read begin. A partition the loop
    /// has read shows its hole against the last record read instead, so its notice changes nothing. Notices for partitions
    /// not owned (revoked since, or from before an assignment) are stale and dropped.
    /// </summary>
    private void TakeResets()
    {
        while (resets.TryDequeue(out var reset))
        {
            if (reset.At is { } at && owned.Contains(new TopicPartition(reset.Topic, reset.Partition)))
            {
                expectedNext.TryAdd((reset.Topic, reset.Partition), at);
            }
        }
    }

    /// <summary>
    /// Hands what was gathered to the handler (and undecodable records to the dead-letter topic) on a thread of its
    /// own, and starts gathering the next batch with the other decoder generation.
    /// </summary>
    private void HandOver(CancellationToken cancellationToken)
    {
        EndRun();
        // Copies: the loop gathers the next batch into its lists while the handler has this one.
        var records = gathering.ToArray();
        var refused = undecodable.ToArray();
        var deadLetter = refused.Length > 0 && registration.Undecodable == UndecodableRecords.DeadLetter ? refused : null;
        var handedAt = Stopwatch.GetTimestamp();
        var work = Task.Run(() => HandleAsync(records, deadLetter, handedAt, cancellationToken), CancellationToken.None);
        inHand = new BatchInHand(work, new Dictionary<(string Topic, int Partition), PartitionSpan>(spans), refused, gathered, reader.Generation);
        ClearGathered(release: false);
        reader.NextGeneration();
    }

    /// <summary>Handles a batch and dead-letters its undecodable records, both at once; never throws (the result says).</summary>
    private async Task<BatchResult> HandleAsync(
        ConsumedRecord<T>[] records,
        (ConsumeResult<byte[]?, byte[]?> Record, string Reason, string Error)[]? deadLetter,
        long handedAt,
        CancellationToken cancellationToken)
    {
        // Queued for a pool thread until now: its own histogram, so the handler's duration is the handler's alone.
        var startedAt = Stopwatch.GetTimestamp();
        handlerQueue.Observe(Stopwatch.GetElapsedTime(handedAt, startedAt).TotalSeconds);
        Exception? failure = null;
        Task deadLettered;
        try
        {
            deadLettered = deadLetter is null ? Task.CompletedTask : deadLetters.PublishAsync(deadLetter, group, cancellationToken);
        }
        catch (Exception e)
        {
            deadLettered = Task.FromException(e);
        }

        Task? durable = null;
        try
        {
            if (records.Length > 0)
            {
                if (deferred is not null)
                {
                    durable = await deferred.HandleDeferredAsync(records, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await handler.HandleAsync(records, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        try
        {
            await deadLettered.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return new BatchResult(failure ?? e, DeadLetterFailed: true, durable);
        }
        finally
        {
            metrics.HandlerDuration.WithLabels(group).Observe(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
        }

        return new BatchResult(failure, DeadLetterFailed: false, durable);
    }

    /// <summary>
    /// Waits for the batch in hand, if any: once handled its offsets are stored (committed in the background); a failure
    /// is kept in <see cref="failedBatch"/> for the loop to rewind and retry. A batch handled whose writes are still in
    /// flight (<see cref="IDeferredDurabilityHandler{T}"/>) becomes <see cref="unwritten"/>, the one before it having
    /// been settled first. Always on the consume thread (the loop, or a rebalance callback, which so never runs beside a
    /// handler).
    /// </summary>
    /// <param name="lost">Partitions lost (not revoked): another member may own them already, so nothing is stored for them.</param>
    /// <param name="batchReady">Whether the loop has the next batch ready: its wait here is time the handler, not the fetch, holds the service back.</param>
    /// <param name="keepUnwritten">Whether the batch just handled may stay <see cref="unwritten"/> (the loop hands the next batch); else its writes are waited for too.</param>
    private void Settle(IConsumer<string?, DecodedValue<T>> consumer, HashSet<TopicPartition>? lost = null, bool batchReady = false, bool keepUnwritten = false)
    {
        if (inHand is not { } batch)
        {
            if (!keepUnwritten)
            {
                SettleUnwritten(consumer, lost);
            }

            return;
        }

        inHand = null;
        var waitedFrom = batchReady && !batch.Work.IsCompleted ? Stopwatch.GetTimestamp() : 0;
        if (AbandonedOnStop(batch))
        {
            return;
        }

        var result = batch.Work.GetAwaiter().GetResult();
        if (waitedFrom != 0)
        {
            handlerWait.Inc(Stopwatch.GetElapsedTime(waitedFrom).TotalSeconds);
        }
        // Handled or failed, the handler is done with the batch's values (see IBatchScopedDecoder).
        reader.ReleaseBatch(batch.Generation);
        if (unwritten is { } earlier)
        {
            // Its writes precede this batch's: settled first. When they failed, this batch's fail unsent, and both are
            // retried from the earlier batch's first offsets.
            unwritten = null;
            if (WriteFailure(earlier) is { } failed)
            {
                // This batch's writes fail unsent once the earlier one's did: completed too before the rewind.
                AwaitWrites(result, batch.Count);
                failedBatch = Both(earlier, batch, result, failed);
                return;
            }

            Succeeded(consumer, earlier, lost);
        }

        if (result.Failure is not null)
        {
            // The handler may have taken the batch and sent its writes (its dead letters failed): they complete before the
            // loop rewinds and tells the handler (Rewound), which then puts its memory back to what the store holds.
            AwaitWrites(result, batch.Count);
            failedBatch = batch with { Result = result };
            return;
        }

        if (result.Durable is { IsCompletedSuccessfully: false })
        {
            unwritten = batch with { Result = result };
            if (!keepUnwritten)
            {
                SettleUnwritten(consumer, lost);
            }

            return;
        }

        Succeeded(consumer, batch, lost);
    }

    /// <summary>Waits for the writes of the <see cref="unwritten"/> batch, if any, and stores its offsets, or keeps it as the failed batch.</summary>
    private void SettleUnwritten(IConsumer<string?, DecodedValue<T>> consumer, HashSet<TopicPartition>? lost = null)
    {
        if (unwritten is not { } batch)
        {
            return;
        }

        unwritten = null;
        if (WriteFailure(batch) is { } failed)
        {
            failedBatch = batch with { Result = new BatchResult(failed, DeadLetterFailed: false, batch.Result.Durable) };
            return;
        }

        Succeeded(consumer, batch, lost);
    }

    /// <summary>
    /// Waits for a handled batch's writes; their failure, if any. After a stop request the wait is bounded as the
    /// handler's is (<see cref="AbandonedOnStop"/>): writes still in flight then count as failed (the offsets are not
    /// stored; the next owner replays the batch).
    /// </summary>
    private Exception? WriteFailure(BatchInHand batch) => WriteFailure(batch.Result.Durable!, batch.Count);

    private Exception? WriteFailure(Task durable, int count)
    {
        var waitedFrom = durable.IsCompleted ? 0 : Stopwatch.GetTimestamp();
        try
        {
            durable.Wait(stopToken);
            if (waitedFrom != 0)
            {
                writeWait.Inc(Stopwatch.GetElapsedTime(waitedFrom).TotalSeconds);
            }
        }
        catch (AggregateException)
        {
        }
        catch (OperationCanceledException)
        {
            try
            {
                if (!durable.Wait(settings.ShutdownGrace * 2))
                {
                    logger.LogError("The writes of a batch of {Count} records in {Group} did not complete within twice the shutdown grace ({Grace}) of a stop; its offsets are not stored, and it will be replayed", count, group, settings.ShutdownGrace);
                    return new TimeoutException($"The batch's writes did not complete within twice the shutdown grace ({settings.ShutdownGrace}) of a stop.");
                }
            }
            catch (AggregateException)
            {
            }
        }

        return durable.IsCompletedSuccessfully ? null : durable.Exception?.GetBaseException() ?? new OperationCanceledException("The batch's writes were cancelled.");
    }

    /// <summary>Waits for a failed batch's writes, if the handler handed any back; how they end changes nothing, the batch is retried.</summary>
    private void AwaitWrites(BatchResult result, int count)
    {
        if (result.Durable is { IsCompleted: false } durable)
        {
            _ = WriteFailure(durable, count);
        }
    }

    /// <summary>
    /// Two batches retried together: from the earlier one's first offset of each partition, through the later one's. The
    /// later one's failed dead-letter write still counts towards <see cref="KafkaConsumerSettings.DeadLetterAttempts"/>.
    /// </summary>
    private static BatchInHand Both(BatchInHand earlier, BatchInHand later, BatchResult laterResult, Exception failure)
    {
        var spans = new Dictionary<(string Topic, int Partition), PartitionSpan>(later.Spans);
        foreach (var (partition, span) in earlier.Spans)
        {
            spans[partition] = spans.TryGetValue(partition, out var after) ? new PartitionSpan(span.First, after.Last, span.Count + after.Count) : span;
        }

        return new BatchInHand(earlier.Work, spans, [], earlier.Count + later.Count, later.Generation)
        {
            Result = new BatchResult(failure, laterResult.DeadLetterFailed, earlier.Result.Durable),
        };
    }

    /// <summary>A batch handled and written: its records are counted and its offsets stored (committed in the background).</summary>
    private void Succeeded(IConsumer<string?, DecodedValue<T>> consumer, BatchInHand batch, HashSet<TopicPartition>? lost)
    {
        if (batch.Undecodable.Length > 0 && registration.Undecodable == UndecodableRecords.CountAndSkip)
        {
            CountSkipped(batch.Undecodable);
        }

        deadLetterFailures = 0;
        consecutiveFailures = 0;
        lastFailure = null;
        backoff = settings.RetryBackoff;
        metrics.ConsumerStalled.WithLabels(group).Set(0);
        toStore.Clear();
        foreach (var ((topic, id), span) in batch.Spans)
        {
            // Records of a partition arrive in offset order, so the last one gathered is the highest.
            var partition = new TopicPartition(topic, id);
            Consumed(topic).Inc(span.Count);
            if (lost?.Contains(partition) != true)
            {
                toStore.Add(new TopicPartitionOffset(partition, new Offset(span.Last + 1)));
            }
        }

        if (direct is not null)
        {
            direct.StoreOffsets(toStore, storeErrors);
        }
        else
        {
            storeErrors.Clear();
            foreach (var offset in toStore)
            {
                storeErrors.Add(StoreOne(consumer, offset));
            }
        }

        var failure = ErrorCode.NoError;
        for (var i = 0; i < toStore.Count; i++)
        {
            // A partition revoked meanwhile is left to its next owner, who replays from the last commit; every offset
            // librdkafka stored is noted before another failure stops the loop.
            if (storeErrors[i] == ErrorCode.NoError)
            {
                stored[toStore[i].TopicPartition] = toStore[i].Offset;
            }
            else if (!NotOwned(storeErrors[i]) && failure == ErrorCode.NoError)
            {
                failure = storeErrors[i];
            }
        }

        if (failure != ErrorCode.NoError)
        {
            throw new KafkaException(failure);
        }
    }

    /// <summary>Stores one partition's offset through Confluent (where <see cref="DirectConsumer{T}"/> could not bind): what it gave.</summary>
    private static ErrorCode StoreOne(IConsumer<string?, DecodedValue<T>> consumer, TopicPartitionOffset offset)
    {
        try
        {
            consumer.StoreOffset(offset);
            return ErrorCode.NoError;
        }
        catch (KafkaException e)
        {
            return e.Error.Code;
        }
    }

    /// <summary>
    /// Why librdkafka refuses to store an offset of a partition this member does not own (any more): not assigned, or
    /// no longer known to the client at all (e.g. its topic was deleted meanwhile).
    /// </summary>
    private static bool NotOwned(ErrorCode error) => error is ErrorCode.Local_State or ErrorCode.Local_UnknownPartition;

    /// <summary>The records-consumed counter of <paramref name="topic"/> for this group (its labels looked up once).</summary>
    private Counter.Child Consumed(string topic)
    {
        if (!consumed.TryGetValue(topic, out var counter))
        {
            counter = metrics.RecordsConsumed.WithLabels(topic, group);
            consumed[topic] = counter;
        }

        return counter;
    }

    /// <summary>
    /// After a stop request, waits at most twice the shutdown grace for the batch's handler (it was cancelled after one
    /// grace); one that still has not returned is abandoned, unstored, and its values are left to it (not released).
    /// </summary>
    private bool AbandonedOnStop(BatchInHand batch)
    {
        try
        {
            // Until the handler returns or a stop is requested, whichever is first (HandleAsync never throws).
            batch.Work.Wait(stopToken);
            return false;
        }
        catch (OperationCanceledException)
        {
        }

        if (batch.Work.Wait(settings.ShutdownGrace * 2))
        {
            return false;
        }

        abandoned = batch;
        logger.LogError("The handler of {Group} did not return within twice the shutdown grace ({Grace}) of a stop; its batch of {Count} records is abandoned, its offsets not stored, and will be replayed", group, settings.ShutdownGrace, batch.Count);
        return true;
    }

    private BatchOutcome Failed(IConsumer<string?, DecodedValue<T>> consumer, BatchInHand batch)
    {
        var failure = batch.Result.Failure!;
        metrics.HandlerFailures.WithLabels(group).Inc();
        if (!batch.Spans.Keys.Any(p => owned.Contains(new TopicPartition(p.Topic, p.Partition))))
        {
            // Failed inside a revocation or loss: its partitions' next owner replays it from the last commit. Not a strike
            // against this member (no backoff, no stall, no stop over records it will never retry); only the batch read
            // behind it is rewound and dropped.
            logger.LogWarning(failure, "Batch of {Count} records in {Group} failed after its partitions were revoked or lost; their next owner replays it", batch.Count, group);
            Rewind(consumer, []);
            ClearGathered(release: true);
            deferred?.Rewound();
            return BatchOutcome.Abandoned;
        }

        consecutiveFailures++;
        lastFailure = failure.Message;
        if (consecutiveFailures >= settings.StallAfterFailures)
        {
            metrics.ConsumerStalled.WithLabels(group).Set(1);
        }

        if (batch.Result.DeadLetterFailed)
        {
            deadLetterFailures++;
            metrics.DeadLetterFailures.WithLabels(group).Inc();
            if (deadLetterFailures >= settings.DeadLetterAttempts)
            {
                var partitions = string.Join(", ", batch.Spans.Keys.Select(p => $"{p.Topic}[{p.Partition}]"));
                lastFailure = $"dead-letter topic {deadLetters.Topic} refused {deadLetterFailures} writes in a row: {failure.Message}";
                logger.LogCritical(
                    failure,
                    "Consumer group {Group} STOPPED: the dead-letter topic {Topic} refused {Attempts} writes in a row for undecodable records of {Partitions}. "
                    + "Nothing after them is consumed by this instance; readiness is false and vigil_consumer_stopped is 1 until the dead-letter topic accepts writes and the service restarts.",
                    group, deadLetters.Topic, deadLetterFailures, partitions);
                ClearGathered(release: true);
                return BatchOutcome.StopForGood;
            }
        }

        if (consecutiveFailures == 1 || throttle.TryPass("batch-failure", out _))
        {
            logger.LogError(failure, "Batch of {Count} records in {Group} failed (attempt {Attempt}); rewinding to retry it", batch.Count, group, consecutiveFailures);
        }

        Rewind(consumer, batch.Spans);
        ClearGathered(release: true);
        deferred?.Rewound();
        return BatchOutcome.Retry;
    }

    private void CountSkipped((ConsumeResult<byte[]?, byte[]?> Record, string Reason, string Error)[] undecodable)
    {
        foreach (var (record, reason, error) in undecodable)
        {
            metrics.Undecodable.WithLabels(record.Topic, group, reason).Inc();
            if (throttle.TryPass("undecodable:" + reason, out var suppressed))
            {
                // The ingest tier dead-lettered this record already (or should have): count, never copy again.
                logger.LogWarning(
                    "Skipping undecodable {Topic}[{Partition}]@{Offset} ({Size} bytes) in {Group}: {Reason}: {Error}{Suppressed}",
                    record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Value?.Length ?? 0, group, reason, error, KafkaLog.Suppressed(suppressed));
            }
        }
    }

    /// <summary>
    /// Seeks each partition back to the failed batch's first record of it, and each other partition of the batch being
    /// gathered (read after the failed one, dropped with it) to its first record there.
    /// </summary>
    private void Rewind(IConsumer<string?, DecodedValue<T>> consumer, Dictionary<(string Topic, int Partition), PartitionSpan> failed)
    {
        EndRun();
        var firsts = new Dictionary<(string Topic, int Partition), long>();
        foreach (var (partition, span) in spans)
        {
            firsts[partition] = span.First;
        }

        foreach (var (partition, span) in failed)
        {
            firsts[partition] = span.First;
        }

        foreach (var ((topic, id), first) in firsts)
        {
            var partition = new TopicPartition(topic, id);
            if (!owned.Contains(partition))
            {
                continue; // revoked or lost meanwhile: its next owner reads it from the last commit
            }

            Seek(consumer, new TopicPartitionOffset(partition, first));
        }
    }

    /// <summary>
    /// A rewind that fails would resume the partition after the batch read behind, skipping both batches' records (and
    /// later stored offsets would commit past them): retried a few times, then the loop stops loudly instead.
    /// </summary>
    private void Seek(IConsumer<string?, DecodedValue<T>> consumer, TopicPartitionOffset to)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                consumer.Seek(to);
                // The loop's own move: the next record comes from here, and what lies between is no hole.
                expectedNext[(to.Topic, to.Partition.Value)] = to.Offset.Value;
                return;
            }
            catch (KafkaException e) when (attempt < attempts)
            {
                logger.LogWarning("Could not rewind {Partition} in {Group} to {Offset} (attempt {Attempt}): {Reason}", to.TopicPartition, group, to.Offset.Value, attempt, e.Error.Reason);
                Thread.Sleep(settings.RetryBackoff);
            }
            catch (KafkaException e)
            {
                throw new InvalidOperationException(
                    $"Could not rewind {to.TopicPartition} in {group} to offset {to.Offset.Value} after {attempts} attempts ({e.Error.Reason}); "
                    + "the loop stops rather than skip the failed batch's records", e);
            }
        }
    }

    /// <param name="release">Whether the gathered records are given up (not handed over): nothing of them is completed any more (see IBatchScopedDecoder).</param>
    private void ClearGathered(bool release)
    {
        if (release)
        {
            reader.ReleaseBatch(reader.Generation);
        }

        gathering.Clear();
        undecodable.Clear();
        run = null;
        spans.Clear();
        gathered = 0;
    }

    /// <summary>Drops what was gathered from partitions this member no longer owns: their next owner reads it.</summary>
    private void DropGathered(HashSet<TopicPartition> partitions)
    {
        EndRun();
        gathering.RemoveAll(r => partitions.Contains(new TopicPartition(r.Topic, r.Partition)));
        undecodable.RemoveAll(u => partitions.Contains(u.Record.TopicPartition));
        foreach (var partition in partitions)
        {
            spans.Remove((partition.Topic, partition.Partition.Value));
        }

        gathered = gathering.Count + undecodable.Count;
    }

    private void ReportState()
    {
        if (brokersDown)
        {
            health.Report(group, ConsumerLoopHealth.LoopState.Unreachable, "no broker connection is up");
        }
        else if (consecutiveFailures >= settings.StallAfterFailures)
        {
            health.Report(group, ConsumerLoopHealth.LoopState.Stalled, $"{consecutiveFailures} failed attempts of one batch: {lastFailure}");
        }
        else if (idleWhileGroupLags)
        {
            health.Report(group, ConsumerLoopHealth.LoopState.Unassigned, $"no partitions for over {settings.NoPartitionsGrace.TotalSeconds:0} s while the group has records waiting");
        }
        else
        {
            health.Report(group, ConsumerLoopHealth.LoopState.Running);
        }
    }

    /// <summary>
    /// While this member holds no partitions past the grace, asks the brokers whether the group has
    /// records waiting (committed offsets against high watermarks): a member left out of a group that
    /// lags is not helping, which readiness must say.
    /// </summary>
    private void CheckIdleGroupLag(IConsumer<string?, DecodedValue<T>> consumer)
    {
        if (owned.Count > 0 || Stopwatch.GetElapsedTime(unassignedSince) < settings.NoPartitionsGrace)
        {
            idleWhileGroupLags = false;
            return;
        }

        if (lastGroupLagCheck != 0 && Stopwatch.GetElapsedTime(lastGroupLagCheck) < GroupLagCheckInterval)
        {
            return;
        }

        lastGroupLagCheck = Stopwatch.GetTimestamp();
        try
        {
            using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            var partitions = registration.Topics
                .SelectMany(t => admin.GetMetadata(t, BrokerQueryTimeout).Topics.SelectMany(m => m.Partitions.Select(p => new TopicPartition(m.Topic, p.PartitionId))))
                .ToList();
            var committed = consumer.Committed(partitions, BrokerQueryTimeout);
            long waiting = 0;
            foreach (var c in committed)
            {
                var high = consumer.QueryWatermarkOffsets(c.TopicPartition, BrokerQueryTimeout);
                var from = c.Offset.Value >= 0 ? c.Offset.Value : high.Low.Value;
                waiting += Math.Max(0, high.High.Value - from);
            }

            idleWhileGroupLags = waiting > 0;
            if (idleWhileGroupLags)
            {
                logger.LogWarning("{Group} has held no partitions for {Seconds:0} s while the group has {Waiting} records waiting; not ready", group, Stopwatch.GetElapsedTime(unassignedSince).TotalSeconds, waiting);
            }
        }
        catch (KafkaException e)
        {
            // Unknown is not "lagging": unreachable brokers are reported by their own state.
            if (throttle.TryPass("group-lag", out _))
            {
                logger.LogWarning("{Group} could not read the group's lag while holding no partitions: {Reason}", group, e.Error.Reason);
            }
        }
    }

    private void OnAssigned(IConsumer<string?, DecodedValue<T>> consumer, List<TopicPartition> partitions)
    {
        // The handler's callbacks never run beside a batch: the one in hand finishes first.
        Settle(consumer);
        metrics.Rebalances.WithLabels(group, "assigned").Inc();
        // Resets logged before the assignment are about an earlier ownership: dropped while these are not yet owned.
        TakeResets();
        owned.UnionWith(partitions);
        foreach (var partition in partitions)
        {
            // A new owner starts at the committed offset: no hole to measure against until it read a record (or was reset).
            expectedNext.Remove((partition.Topic, partition.Partition.Value));
            var id = partition.Partition.Value.ToString(CultureInfo.InvariantCulture);
            metrics.RecordsSkipped.WithLabels(group, partition.Topic, id);
            metrics.OffsetResets.WithLabels(group, partition.Topic, id);
        }

        Owned();
        logger.LogInformation("{Group} assigned {Partitions}", group, Describe(partitions));
        handler.OnPartitionsAssignedAsync(ToRefs(partitions)).GetAwaiter().GetResult();
    }

    private void OnRevoked(IConsumer<string?, DecodedValue<T>> consumer, List<TopicPartition> partitions)
    {
        // The batch in hand is handled and its offsets stored first, so they are committed below.
        Settle(consumer);
        metrics.Rebalances.WithLabels(group, "revoked").Inc();
        logger.LogInformation("{Group} revoked {Partitions}", group, Describe(partitions));
        DropGathered(partitions.ToHashSet());
        try
        {
            handler.OnPartitionsRevokedAsync(ToRefs(partitions)).GetAwaiter().GetResult();
            CommitHandled(consumer, partitions, "revocation");
        }
        catch (Exception e)
        {
            // Without a flush the handled offsets must not move: the next owner replays from the last commit.
            logger.LogError(e, "Flushing state of revoked partitions failed in {Group}; their offsets stay uncommitted", group);
        }

        Forget(partitions);
    }

    private void OnLost(IConsumer<string?, DecodedValue<T>> consumer, List<TopicPartition> partitions)
    {
        var lost = partitions.ToHashSet();
        Settle(consumer, lost);
        metrics.Rebalances.WithLabels(group, "lost").Inc();
        logger.LogWarning("{Group} lost {Partitions}", group, Describe(partitions));
        DropGathered(lost);
        handler.OnPartitionsLostAsync(ToRefs(partitions)).GetAwaiter().GetResult();
        Forget(partitions);
    }

    private void Owned()
    {
        metrics.AssignedPartitions.WithLabels(group).Set(owned.Count);
        if (owned.Count == 0)
        {
            unassignedSince = Stopwatch.GetTimestamp();
            lastGroupLagCheck = 0;
        }
        else
        {
            idleWhileGroupLags = false;
        }
    }

    private void CommitHandled(IConsumer<string?, DecodedValue<T>> consumer, IReadOnlyCollection<TopicPartition> partitions, string why)
    {
        var offsets = partitions.Where(stored.ContainsKey).Select(p => new TopicPartitionOffset(p, stored[p])).ToList();
        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets);
            logger.LogInformation("{Group} committed {Count} partition offsets on {Why}", group, offsets.Count, why);
        }
        catch (KafkaException e)
        {
            logger.LogWarning("{Group} could not commit offsets on {Why}: {Reason}; records since the last commit will be replayed", group, why, e.Error.Reason);
        }
    }

    private void Forget(List<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            stored.Remove(partition);
            owned.Remove(partition);
            expectedNext.Remove((partition.Topic, partition.Partition.Value));
            if (lagReported.Remove(partition))
            {
                metrics.ConsumerLag.RemoveLabelled(group, partition.Topic, partition.Partition.Value.ToString(CultureInfo.InvariantCulture));
            }
        }

        Owned();
    }

    /// <summary>
    /// librdkafka's statistics (every StatisticsIntervalMs, on the polling thread): lag per owned
    /// partition as the high watermark minus the stored (handled) offset, so a batch that keeps failing
    /// shows growing lag, and whether any broker connection is up.
    /// </summary>
    private void OnStatistics(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.TryGetProperty("brokers", out var brokers))
            {
                var known = 0;
                var up = 0;
                foreach (var broker in brokers.EnumerateObject())
                {
                    if (broker.Value.GetProperty("nodeid").GetInt32() < 0)
                    {
                        continue; // bootstrap entries, replaced by the real brokers once metadata arrived
                    }

                    known++;
                    up += broker.Value.GetProperty("state").GetString() == "UP" ? 1 : 0;
                }

                if (known > 0)
                {
                    var wasDown = brokersDown;
                    brokersDown = up == 0;
                    metrics.BrokersReachable.WithLabels(group).Set(up > 0 ? 1 : 0);
                    if (wasDown && !brokersDown)
                    {
                        logger.LogInformation("{Group} reaches the brokers again ({Up} of {Known} up)", group, up, known);
                    }
                }
            }

            if (!root.TryGetProperty("topics", out var topics))
            {
                return;
            }

            foreach (var topic in topics.EnumerateObject())
            {
                foreach (var partition in topic.Value.GetProperty("partitions").EnumerateObject())
                {
                    var id = partition.Value.GetProperty("partition").GetInt32();
                    var tp = new TopicPartition(topic.Name, id);
                    if (id < 0 || !owned.Contains(tp))
                    {
                        continue;
                    }

                    var lag = partition.Value.GetProperty("consumer_lag_stored").GetInt64();
                    if (lag < 0)
                    {
                        // Nothing stored yet this assignment: lag from the committed offset.
                        lag = partition.Value.GetProperty("consumer_lag").GetInt64();
                    }

                    if (lag < 0)
                    {
                        continue;
                    }

                    lagReported.Add(tp);
                    metrics.ConsumerLag.WithLabels(group, topic.Name, partition.Name).Set(lag);
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            metrics.StatisticsErrors.WithLabels("consumer").Inc();
        }
    }

    private static IReadOnlyList<TopicPartitionRef> ToRefs(List<TopicPartition> partitions) =>
        partitions.Select(p => new TopicPartitionRef(p.Topic, p.Partition.Value)).ToArray();

    private static string Describe(List<TopicPartition> partitions) =>
        partitions.Count == 0 ? "no partitions" : string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));

    /// <summary>Where a partition's records in the batch start and end, for storing, rewinding and counting.</summary>
    private readonly record struct PartitionSpan(long First, long Last, int Count);

    /// <summary>What became of a batch: the handler's (or the dead-letter write's) failure, if any, and its writes still in flight (a deferred-durability handler's).</summary>
    private readonly record struct BatchResult(Exception? Failure, bool DeadLetterFailed, Task? Durable);

    /// <summary>A batch handed to the handler: its work, where its records are, and the decoder generation they use.</summary>
    private sealed record BatchInHand(
        Task<BatchResult> Work,
        Dictionary<(string Topic, int Partition), PartitionSpan> Spans,
        (ConsumeResult<byte[]?, byte[]?> Record, string Reason, string Error)[] Undecodable,
        int Count,
        int Generation)
    {
        public BatchResult Result { get; init; }
    }

    private enum BatchOutcome
    {
        Retry,
        StopForGood,

        /// <summary>The batch failed after none of its partitions was owned any more: dropped, nothing retried here.</summary>
        Abandoned,
    }
}
