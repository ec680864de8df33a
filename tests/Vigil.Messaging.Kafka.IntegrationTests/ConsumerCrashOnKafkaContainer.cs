using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>The crash contract against a Kafka container (VIGIL_TEST_KAFKA=container or both).</summary>
public sealed class ConsumerCrashOnKafkaContainer() : ConsumerCrashContract(KafkaBrokerKind.Container);
