using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// The one producer of a process (librdkafka producers are thread-safe and batch across callers);
/// flushed on dispose so acknowledged-in-flight records are not dropped at shutdown.
/// </summary>
/// <remarks>
/// librdkafka queues records per partition, so a partition whose leader is down only holds back its
/// own records: the others keep being delivered. What waits is bounded by
/// Kafka:Producer:QueueBufferingMaxMessages/Kbytes; when that is full, publishing waits for room
/// instead of failing, and vigil_producer_buffered_records shows what waits, per partition.
/// </remarks>
public sealed class KafkaProducerHandle : IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan QueueFullWait = TimeSpan.FromMilliseconds(20);
    private readonly ILogger<KafkaProducerHandle> logger;
    private readonly LogThrottle throttle = new();
    private readonly KafkaMetrics metrics;
    private readonly ProducerStatistics statistics;

    public KafkaProducerHandle(KafkaClientConfigFactory configs, KafkaMetrics metrics, ILogger<KafkaProducerHandle> logger)
    {
        this.logger = logger;
        this.metrics = metrics;
        statistics = new ProducerStatistics(metrics);
        MaxMessageBytes = configs.ProducerMaxMessageBytes;
        Producer = new ProducerBuilder<byte[]?, byte[]?>(configs.Producer())
            .SetLogHandler((_, m) =>
            {
                if (throttle.TryPass(KafkaLog.Key(m.Facility, m.Message), out var suppressed))
                {
                    logger.Log(KafkaLog.Level(m.Level), "librdkafka {Facility}: {Message}{Suppressed}", m.Facility, m.Message, KafkaLog.Suppressed(suppressed));
                }
            })
            .SetErrorHandler((_, e) =>
            {
                var suppressed = 0L;
                if (e.IsFatal || throttle.TryPass(e.Code.ToString(), out suppressed))
                {
                    logger.Log(e.IsFatal ? LogLevel.Critical : LogLevel.Warning, "Kafka producer error {Code}: {Reason}{Suppressed}", e.Code, e.Reason, KafkaLog.Suppressed(suppressed));
                }
            })
            .SetStatisticsHandler((_, json) => statistics.Report(json))
            .Build();
    }

    /// <summary>The producer's message.max.bytes: the largest record it sends.</summary>
    public int MaxMessageBytes { get; }

    internal IProducer<byte[]?, byte[]?> Producer { get; }

    /// <summary>Sends one record and completes when the broker acknowledged it.</summary>
    internal async Task<RecordPosition> ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var delivered = await Producer.ProduceAsync(topic, message, cancellationToken).ConfigureAwait(false);
                if (delivered.Status != PersistenceStatus.Persisted)
                {
                    // Only a report the broker acknowledged counts as delivered (acks=all); anything else is not a position.
                    metrics.ProduceErrors.WithLabels(topic).Inc();
                    throw new KafkaDeliveryException(topic, $"the broker did not acknowledge the record ({delivered.Status})");
                }

                metrics.RecordsProduced.WithLabels(topic).Inc();
                return new RecordPosition(topic, delivered.Partition.Value, delivered.Offset.Value);
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The bounded buffer is full (a leader is down, or the broker is slower than the callers):
                // wait for room rather than fail or grow without bound.
                metrics.ProducerQueueFullWaits.Inc();
                await Task.Delay(QueueFullWait, cancellationToken).ConfigureAwait(false);
            }
            catch (ProduceException<byte[]?, byte[]?> e)
            {
                metrics.ProduceErrors.WithLabels(topic).Inc();
                throw new KafkaDeliveryException(topic, e.Error.Reason, e);
            }
        }
    }

    public void Dispose()
    {
        var left = Producer.Flush(FlushTimeout);
        if (left > 0)
        {
            logger.LogError("{Count} records were still unacknowledged when the producer closed", left);
        }

        Producer.Dispose();
    }
}
