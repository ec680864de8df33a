using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
/// <item>A failed batch is not skipped: its partitions are rewound to the batch's first offsets and
/// consumed again after a backoff. Handlers must be idempotent for replays.</item>
/// <item>On an orderly revocation (rebalance, shutdown) the handler flushes state for the revoked
/// partitions, then their handled offsets are committed synchronously, so the next owner starts
/// exactly after what was handled. Records of revoked partitions still waiting in the batch being
/// gathered are dropped here: the next owner reads them.</item>
/// <item>Lost partitions (session timeout) are not committed: another member may own them already.</item>
/// </list>
/// </remarks>
public sealed class KafkaConsumeLoop<T>(
    KafkaConsumerRegistration registration,
    KafkaClientConfigFactory configs,
    IRecordDecoder<T> decoder,
    IRecordBatchHandler<T> handler,
    DeadLetterPublisher deadLetters,
    ConsumerLoopHealth health,
    ILogger<KafkaConsumeLoop<T>> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LagReportInterval = TimeSpan.FromSeconds(1);
    private readonly KafkaConsumerSettings settings = configs.Options.Consumer;
    private readonly List<ConsumeResult<byte[]?, byte[]?>> gathering = [];
    private readonly Dictionary<TopicPartition, Offset> stored = [];
    private readonly string group = registration.GroupId;
    private KafkaException? fatal;
    private long lastLagReport;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stopping)
    {
        health.Report(group, ConsumerLoopHealth.LoopState.Starting);
        using var handlerCancellation = new CancellationTokenSource();
        // The batch in hand may finish after a stop request; only past the grace is it abandoned.
        using var graceRegistration = stopping.Register(() => handlerCancellation.CancelAfter(settings.ShutdownGrace));
        var consumer = Build();
        try
        {
            consumer.Subscribe(registration.Topics);
            logger.LogInformation("Consumer group {Group} subscribed to {Topics}", group, string.Join(", ", registration.Topics));
            var backoff = settings.RetryBackoff;
            while (!stopping.IsCancellationRequested)
            {
                if (fatal is not null)
                {
                    throw fatal;
                }

                Gather(consumer);
                health.Report(group, ConsumerLoopHealth.LoopState.Running);
                if (gathering.Count == 0)
                {
                    continue;
                }

                if (HandleGathered(consumer, handlerCancellation.Token))
                {
                    backoff = settings.RetryBackoff;
                }
                else
                {
                    stopping.WaitHandle.WaitOne(backoff);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxRetryBackoff.Ticks));
                }

                ReportLag(consumer);
            }

            CommitHandled(consumer, stored.Keys.ToList(), "shutdown");
            // Close leaves the group; its revocation callback flushes handler state once more.
            consumer.Close();
            health.Report(group, ConsumerLoopHealth.LoopState.Stopped);
            logger.LogInformation("Consumer group {Group} closed", group);
        }
        catch (Exception e)
        {
            health.Report(group, ConsumerLoopHealth.LoopState.Faulted, e.Message);
            logger.LogCritical(e, "Consume loop of {Group} stopped on a fatal error", group);
            throw;
        }
        finally
        {
            consumer.Dispose();
        }
    }

    private IConsumer<byte[]?, byte[]?> Build() =>
        new ConsumerBuilder<byte[]?, byte[]?>(configs.Consumer(group))
            .SetLogHandler((_, m) => logger.Log(KafkaLog.Level(m.Level), "librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .SetErrorHandler((_, e) =>
            {
                if (e.IsFatal)
                {
                    fatal = new KafkaException(e);
                }

                logger.Log(e.IsFatal ? LogLevel.Critical : LogLevel.Warning, "Kafka consumer error in {Group} {Code}: {Reason}", group, e.Code, e.Reason);
            })
            .SetPartitionsAssignedHandler((c, partitions) => OnAssigned(c, partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((c, partitions) => OnLost(c, partitions.Select(p => p.TopicPartition).ToList()))
            .Build();

    /// <summary>Waits for a first record, then fills the batch until it is full or MaxBatchWait passed.</summary>
    private void Gather(IConsumer<byte[]?, byte[]?> consumer)
    {
        var started = 0L;
        while (gathering.Count < settings.MaxBatchSize)
        {
            var timeout = gathering.Count == 0 ? IdlePoll : settings.MaxBatchWait - Stopwatch.GetElapsedTime(started);
            if (timeout < TimeSpan.Zero)
            {
                return;
            }

            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = consumer.Consume(timeout);
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                logger.LogWarning("Consume error in {Group}: {Reason}", group, e.Error.Reason);
                continue;
            }

            if (result is null)
            {
                return;
            }

            if (gathering.Count == 0)
            {
                started = Stopwatch.GetTimestamp();
            }

            gathering.Add(result);
        }
    }

    /// <summary>Decodes, dead-letters, handles and stores offsets; false when the batch must be retried.</summary>
    private bool HandleGathered(IConsumer<byte[]?, byte[]?> consumer, CancellationToken cancellationToken)
    {
        var decoded = new List<ConsumedRecord<T>>(gathering.Count);
        List<(ConsumeResult<byte[]?, byte[]?>, string, string)>? undecodable = null;
        foreach (var record in gathering)
        {
            try
            {
                var value = decoder.Decode(record.Message.Value ?? []);
                var key = record.Message.Key is null ? null : Encoding.UTF8.GetString(record.Message.Key);
                decoded.Add(new ConsumedRecord<T>(record.Topic, record.Partition.Value, record.Offset.Value, key, record.Message.Timestamp.UtcDateTime, value));
            }
            catch (RecordDecodeException e)
            {
                (undecodable ??= []).Add((record, e.Reason, e.Message));
            }
        }

        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            var deadLettered = undecodable is null ? Task.CompletedTask : deadLetters.PublishAsync(undecodable, group, cancellationToken);
            if (decoded.Count > 0)
            {
                handler.HandleAsync(decoded, cancellationToken).GetAwaiter().GetResult();
            }

            deadLettered.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            KafkaMetrics.HandlerFailures.WithLabels(group).Inc();
            logger.LogError(e, "Batch of {Count} records in {Group} failed; rewinding to retry it", gathering.Count, group);
            Rewind(consumer);
            gathering.Clear();
            return false;
        }
        finally
        {
            KafkaMetrics.HandlerDuration.WithLabels(group).Observe(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
        }

        foreach (var partitionBatch in gathering.GroupBy(r => r.TopicPartition))
        {
            var next = new Offset(partitionBatch.Max(r => r.Offset.Value) + 1);
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(partitionBatch.Key, next));
                stored[partitionBatch.Key] = next;
            }
            catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_State)
            {
                // Revoked meanwhile: the next owner replays from the last commit.
            }

            KafkaMetrics.RecordsConsumed.WithLabels(partitionBatch.Key.Topic, group).Inc(partitionBatch.Count());
        }

        gathering.Clear();
        return true;
    }

    private void Rewind(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var partitionBatch in gathering.GroupBy(r => r.TopicPartition))
        {
            try
            {
                consumer.Seek(new TopicPartitionOffset(partitionBatch.Key, partitionBatch.Min(r => r.Offset.Value)));
            }
            catch (KafkaException e)
            {
                logger.LogWarning("Could not rewind {Partition} in {Group}: {Reason}", partitionBatch.Key, group, e.Error.Reason);
            }
        }
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        KafkaMetrics.Rebalances.WithLabels(group, "assigned").Inc();
        KafkaMetrics.AssignedPartitions.WithLabels(group).Set(consumer.Assignment.Count + partitions.Count);
        logger.LogInformation("{Group} assigned {Partitions}", group, Describe(partitions));
        handler.OnPartitionsAssignedAsync(ToRefs(partitions)).GetAwaiter().GetResult();
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        KafkaMetrics.Rebalances.WithLabels(group, "revoked").Inc();
        logger.LogInformation("{Group} revoked {Partitions}", group, Describe(partitions));
        var revoked = partitions.ToHashSet();
        gathering.RemoveAll(r => revoked.Contains(r.TopicPartition));
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
        KafkaMetrics.AssignedPartitions.WithLabels(group).Set(Math.Max(0, consumer.Assignment.Count - partitions.Count));
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        KafkaMetrics.Rebalances.WithLabels(group, "lost").Inc();
        logger.LogWarning("{Group} lost {Partitions}", group, Describe(partitions));
        var lost = partitions.ToHashSet();
        gathering.RemoveAll(r => lost.Contains(r.TopicPartition));
        handler.OnPartitionsLostAsync(ToRefs(partitions)).GetAwaiter().GetResult();
        Forget(partitions);
        KafkaMetrics.AssignedPartitions.WithLabels(group).Set(Math.Max(0, consumer.Assignment.Count - partitions.Count));
    }

    private void CommitHandled(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyCollection<TopicPartition> partitions, string why)
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
            KafkaMetrics.ConsumerLag.RemoveLabelled(group, partition.Topic, partition.Partition.Value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private void ReportLag(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (Stopwatch.GetElapsedTime(lastLagReport) < LagReportInterval)
        {
            return;
        }

        lastLagReport = Stopwatch.GetTimestamp();
        foreach (var partition in consumer.Assignment)
        {
            // Cached watermarks from fetch responses: no broker round trip.
            var watermarks = consumer.GetWatermarkOffsets(partition);
            var position = consumer.Position(partition);
            if (watermarks.High == Offset.Unset || position == Offset.Unset)
            {
                continue;
            }

            KafkaMetrics.ConsumerLag
                .WithLabels(group, partition.Topic, partition.Partition.Value.ToString(CultureInfo.InvariantCulture))
                .Set(Math.Max(0, watermarks.High.Value - position.Value));
        }
    }

    private static IReadOnlyList<TopicPartitionRef> ToRefs(List<TopicPartition> partitions) =>
        partitions.Select(p => new TopicPartitionRef(p.Topic, p.Partition.Value)).ToArray();

    private static string Describe(List<TopicPartition> partitions) =>
        partitions.Count == 0 ? "no partitions" : string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));
}
