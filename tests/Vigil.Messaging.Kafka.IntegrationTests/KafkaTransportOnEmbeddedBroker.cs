using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>The transport contract against the embedded dev cluster (librdkafka's mock brokers).</summary>
public sealed class KafkaTransportOnEmbeddedBroker() : KafkaTransportContract(KafkaBrokerKind.Embedded);
