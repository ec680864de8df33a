using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>The poison-pill contract against a real Kafka broker in a container (skipped without Docker).</summary>
public sealed class PoisonPillOnKafkaContainer() : PoisonPillContract(KafkaBrokerKind.Container);
