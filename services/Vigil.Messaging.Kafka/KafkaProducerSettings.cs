namespace Vigil.Messaging.Kafka;

/// <summary>Producer tuning (configuration section "Kafka:Producer"); idempotence and acks=all are not optional.</summary>
public sealed class KafkaProducerSettings
{
    public int LingerMs { get; set; } = 5;

    /// <summary>none, gzip, snappy, lz4 or zstd.</summary>
    public string Compression { get; set; } = "lz4";

    public int MessageTimeoutMs { get; set; } = 120000;

    /// <summary>message.max.bytes; unset: the largest max.message.bytes in the topic manifest.</summary>
    public int? MessageMaxBytes { get; set; }

    /// <summary>How often librdkafka reports statistics (records buffered per partition, broker state).</summary>
    public int StatisticsIntervalMs { get; set; } = 5000;

    /// <summary>
    /// Most records buffered in the producer (all partitions). Records for a partition whose leader is
    /// down wait here while other partitions keep flowing; when full, publishing waits (bounded memory).
    /// </summary>
    public int QueueBufferingMaxMessages { get; set; } = 100_000;

    /// <summary>Most kilobytes buffered in the producer (all partitions).</summary>
    public int QueueBufferingMaxKbytes { get; set; } = 262_144;

    /// <summary>
    /// librdkafka properties for producers only (e.g. "batch.num.messages": "5000"), applied after Kafka:Properties, so a
    /// producer property does not also reach the consumers. Idempotence and acks are not among them (see <see cref="Reserved"/>).
    /// </summary>
    public Dictionary<string, string> Properties { get; set; } = [];

    /// <summary>
    /// Producer properties Vigil decides itself: idempotence (ordering, no duplicates from retries), acks=all, and the
    /// delivery reports a send waits for (without them a send completes at once, before the broker has the record).
    /// </summary>
    internal static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "enable.idempotence", "acks", "request.required.acks",
        "dotnet.producer.enable.delivery.reports", "dotnet.producer.enable.background.poll", "dotnet.producer.delivery.report.fields",
    };
}
