namespace Vigil.Messaging.Kafka;

/// <summary>Producer tuning (configuration section "Kafka:Producer"); idempotence and acks=all are not optional.</summary>
public sealed class KafkaProducerSettings
{
    public int LingerMs { get; set; } = 5;

    /// <summary>none, gzip, snappy, lz4 or zstd.</summary>
    public string Compression { get; set; } = "lz4";

    public int MessageTimeoutMs { get; set; } = 120000;
}
