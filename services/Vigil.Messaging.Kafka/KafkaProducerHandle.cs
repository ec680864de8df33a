using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// The one producer of a process (librdkafka producers are thread-safe and batch across callers);
/// flushed on dispose so acknowledged-in-flight records are not dropped at shutdown.
/// </summary>
public sealed class KafkaProducerHandle : IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(15);
    private readonly ILogger<KafkaProducerHandle> logger;

    public KafkaProducerHandle(KafkaClientConfigFactory configs, ILogger<KafkaProducerHandle> logger)
    {
        this.logger = logger;
        Producer = new ProducerBuilder<byte[]?, byte[]?>(configs.Producer())
            .SetLogHandler((_, m) => logger.Log(KafkaLog.Level(m.Level), "librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .SetErrorHandler((_, e) => logger.Log(e.IsFatal ? LogLevel.Critical : LogLevel.Warning, "Kafka producer error {Code}: {Reason}", e.Code, e.Reason))
            .Build();
    }

    internal IProducer<byte[]?, byte[]?> Producer { get; }

    /// <summary>Sends one record and completes when the broker acknowledged it.</summary>
    internal async Task<RecordPosition> ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken)
    {
        try
        {
            var delivered = await Producer.ProduceAsync(topic, message, cancellationToken).ConfigureAwait(false);
            KafkaMetrics.RecordsProduced.WithLabels(topic).Inc();
            return new RecordPosition(topic, delivered.Partition.Value, delivered.Offset.Value);
        }
        catch (ProduceException<byte[]?, byte[]?> e)
        {
            KafkaMetrics.ProduceErrors.WithLabels(topic).Inc();
            throw new KafkaDeliveryException(topic, e.Error.Reason, e);
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
