using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Vigil.Messaging.Kafka;

/// <summary>Builds librdkafka configurations from <see cref="KafkaOptions"/>: the one place client settings are decided.</summary>
public sealed class KafkaClientConfigFactory(IOptions<KafkaOptions> options, TopicManifest? manifest = null)
{
    public KafkaOptions Options => options.Value;

    /// <summary>
    /// The producer's message.max.bytes: Kafka:Producer:MessageMaxBytes, else the largest
    /// max.message.bytes the manifest declares, so producer and topics are set from one place.
    /// </summary>
    public int ProducerMaxMessageBytes => options.Value.Producer.MessageMaxBytes ?? MessageSizeLimit.ForProducer(manifest);

    /// <summary>
    /// The static group membership id (group.instance.id) consumers use, or null for dynamic membership:
    /// Kafka:Consumer:GroupInstanceId ("{pod}" and "{host}" are replaced by POD_NAME and the host name),
    /// else the POD_NAME environment variable Kubernetes sets through the downward API.
    /// </summary>
    public string? GroupInstanceId
    {
        get
        {
            var configured = options.Value.Consumer.GroupInstanceId;
            var pod = Environment.GetEnvironmentVariable("POD_NAME");
            if (string.IsNullOrWhiteSpace(configured))
            {
                return string.IsNullOrWhiteSpace(pod) ? null : pod;
            }

            return configured
                .Replace("{pod}", pod ?? Environment.MachineName, StringComparison.Ordinal)
                .Replace("{host}", Environment.MachineName, StringComparison.Ordinal);
        }
    }

    internal ProducerConfig Producer()
    {
        var o = options.Value;
        var config = new ProducerConfig(Common("producer"))
        {
            // Idempotence gives per-partition ordering and no duplicates from internal retries;
            // it implies acks=all and bounded in-flight requests.
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = o.Producer.LingerMs,
            CompressionType = Enum.Parse<CompressionType>(o.Producer.Compression, ignoreCase: true),
            MessageTimeoutMs = o.Producer.MessageTimeoutMs,
            MessageMaxBytes = ProducerMaxMessageBytes,
            // Per-partition queue depth and broker state for the buffered-records gauges.
            StatisticsIntervalMs = o.Producer.StatisticsIntervalMs,
            QueueBufferingMaxMessages = o.Producer.QueueBufferingMaxMessages,
            QueueBufferingMaxKbytes = o.Producer.QueueBufferingMaxKbytes,
            // The Java client's murmur2 placement, so every client agrees on a host's partition.
            Partitioner = Partitioner.Murmur2Random,
        };
        return ApplyOverrides(config, o.Producer.Properties);
    }

    internal ConsumerConfig Consumer(string groupId)
    {
        var c = options.Value.Consumer;
        var config = new ConsumerConfig(Common(groupId))
        {
            GroupId = groupId,
            // Static membership: a restarted instance rejoins under the same id and gets its partitions
            // back at once instead of after the session timeout (docs/reliability.md).
            GroupInstanceId = GroupInstanceId,
            // At-least-once: the loop stores an offset only after its batch was handled; the
            // background commit then commits only stored offsets.
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = c.CommitIntervalMs,
            AutoOffsetReset = Enum.Parse<AutoOffsetReset>(c.AutoOffsetReset, ignoreCase: true),
            MaxPollIntervalMs = c.MaxPollIntervalMs,
            EnablePartitionEof = false,
            // Lag and broker state come from librdkafka's statistics, not from polling the broker.
            StatisticsIntervalMs = c.StatisticsIntervalMs,
            // A record larger than the partition fetch size is still returned whole (KIP-74); this only
            // bounds what one fetch buffers, and must admit the largest record a topic may hold.
            ReceiveMessageMaxBytes = Math.Max(100_000_000, ProducerMaxMessageBytes + 1_000_000),
            // librdkafka stops fetching for fetch.queue.backoff.ms (1 s by default) whenever its prefetch queue is full
            // (queued.min.messages or queued.max.messages.kbytes, which for a group consumer count the whole consumer
            // queue, about 50,000 telemetry events). A consumer behind the log's end fills it at every fetch, so it read
            // at most about a queue per second however fast it handled records (docs/performance.md, "Eleventh round").
            // 20 ms resumes fetching soon after the loop has taken records out. Kafka:Consumer:Properties overrides it.
            FetchQueueBackoffMs = 20,
        };
        if (string.Equals(c.GroupProtocol, "consumer", StringComparison.OrdinalIgnoreCase))
        {
            // KIP-848: the broker assigns; session timeout and assignor are broker-side settings.
            config.GroupProtocol = GroupProtocol.Consumer;
        }
        else
        {
            // Cooperative rebalancing moves only the partitions that change owner and produced no
            // duplicates in the embedded broker's tests, unlike eager assignment.
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
            config.SessionTimeoutMs = c.SessionTimeoutMs;
            config.HeartbeatIntervalMs = Math.Max(100, c.SessionTimeoutMs / 3);
        }

        return ApplyOverrides(config, c.Properties);
    }

    /// <summary>Topic administration (provisioning from the manifest) with the same bootstrap, SASL and TLS settings as every other client.</summary>
    internal AdminClientConfig Admin() => ApplyOverrides(new AdminClientConfig(Common("admin")));

    private ClientConfig Common(string role)
    {
        var o = options.Value;
        var config = new ClientConfig
        {
            BootstrapServers = o.BootstrapServers,
            ClientId = $"{o.ClientId}-{role}",
            SecurityProtocol = Enum.Parse<SecurityProtocol>(o.SecurityProtocol.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true),
            SslCaLocation = o.SslCaLocation,
            SslCertificateLocation = o.SslCertificateLocation,
            SslKeyLocation = o.SslKeyLocation,
        };
        if (!string.IsNullOrWhiteSpace(o.SaslMechanism))
        {
            config.SaslMechanism = Enum.Parse<SaslMechanism>(o.SaslMechanism.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true);
            config.SaslUsername = o.SaslUsername;
            config.SaslPassword = string.IsNullOrWhiteSpace(o.SaslPasswordFile) ? o.SaslPassword : File.ReadAllText(o.SaslPasswordFile).Trim();
        }

        return config;
    }

    /// <summary>Kafka:Properties (every client), then <paramref name="role"/>'s own (Kafka:Consumer:Properties or Kafka:Producer:Properties).</summary>
    private TConfig ApplyOverrides<TConfig>(TConfig config, IReadOnlyDictionary<string, string>? role = null)
        where TConfig : ClientConfig
    {
        foreach (var (key, value) in options.Value.Properties)
        {
            config.Set(key, value);
        }

        foreach (var (key, value) in role ?? new Dictionary<string, string>())
        {
            config.Set(key, value);
        }

        return config;
    }
}
