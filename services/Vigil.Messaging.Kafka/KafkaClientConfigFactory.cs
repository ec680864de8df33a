using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Vigil.Messaging.Kafka;

/// <summary>Builds librdkafka configurations from <see cref="KafkaOptions"/>: the one place client settings are decided.</summary>
public sealed class KafkaClientConfigFactory(IOptions<KafkaOptions> options)
{
    public KafkaOptions Options => options.Value;

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
            // The Java client's murmur2 placement, so every client agrees on a host's partition.
            Partitioner = Partitioner.Murmur2Random,
        };
        return ApplyOverrides(config);
    }

    internal ConsumerConfig Consumer(string groupId)
    {
        var c = options.Value.Consumer;
        var config = new ConsumerConfig(Common(groupId))
        {
            GroupId = groupId,
            GroupInstanceId = string.IsNullOrWhiteSpace(c.GroupInstanceId) ? null : c.GroupInstanceId,
            // At-least-once: the loop stores an offset only after its batch was handled; the
            // background commit then commits only stored offsets.
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = c.CommitIntervalMs,
            // Cooperative rebalancing moves only the partitions that change owner and produced no
            // duplicates in the embedded broker's tests, unlike eager assignment.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            AutoOffsetReset = Enum.Parse<AutoOffsetReset>(c.AutoOffsetReset, ignoreCase: true),
            SessionTimeoutMs = c.SessionTimeoutMs,
            MaxPollIntervalMs = c.MaxPollIntervalMs,
            EnablePartitionEof = false,
        };
        return ApplyOverrides(config);
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

    private TConfig ApplyOverrides<TConfig>(TConfig config)
        where TConfig : ClientConfig
    {
        foreach (var (key, value) in options.Value.Properties)
        {
            config.Set(key, value);
        }

        return config;
    }
}
