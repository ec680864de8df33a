namespace Vigil.Messaging.Kafka;

/// <summary>
/// Connection and client settings (configuration section "Kafka"). Secrets are read from files
/// (SaslPasswordFile) so Kubernetes Secrets can be mounted rather than placed in values.
/// </summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>Prefix of client.id; the consumer group or "producer" is appended.</summary>
    public string ClientId { get; set; } = "vigil";

    /// <summary>plaintext, ssl, sasl_plaintext or sasl_ssl.</summary>
    public string SecurityProtocol { get; set; } = "plaintext";

    /// <summary>PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (or OAUTHBEARER with Properties).</summary>
    public string? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    public string? SaslPassword { get; set; }

    /// <summary>File holding the SASL password (a mounted Secret); wins over SaslPassword.</summary>
    public string? SaslPasswordFile { get; set; }

    public string? SslCaLocation { get; set; }

    public string? SslCertificateLocation { get; set; }

    public string? SslKeyLocation { get; set; }

    /// <summary>Topic manifest path; default: VIGIL_TOPIC_MANIFEST, then deploy/topics.json found from the app or working directory.</summary>
    public string? TopicManifest { get; set; }

    /// <summary>
    /// Any other librdkafka property for every client (e.g. "socket.keepalive.enable": "true"), applied after Vigil's own
    /// settings; a property of only consumers or only producers belongs in Kafka:Consumer:Properties or
    /// Kafka:Producer:Properties, which are applied after this one.
    /// </summary>
    public Dictionary<string, string> Properties { get; set; } = [];

    public KafkaConsumerSettings Consumer { get; set; } = new();

    public KafkaProducerSettings Producer { get; set; } = new();
}
