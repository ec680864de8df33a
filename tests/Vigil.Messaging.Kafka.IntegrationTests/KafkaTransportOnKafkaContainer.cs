using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>The transport contract against real Apache Kafka in a container (VIGIL_TEST_KAFKA=container or both).</summary>
public sealed class KafkaTransportOnKafkaContainer() : KafkaTransportContract(KafkaBrokerKind.Container);
