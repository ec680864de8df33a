using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>The crash contract against the embedded dev cluster.</summary>
public sealed class ConsumerCrashOnEmbeddedBroker() : ConsumerCrashContract(KafkaBrokerKind.Embedded);
