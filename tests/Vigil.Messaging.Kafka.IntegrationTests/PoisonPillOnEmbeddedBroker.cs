using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>The poison-pill contract against the embedded dev cluster.</summary>
public sealed class PoisonPillOnEmbeddedBroker() : PoisonPillContract(KafkaBrokerKind.Embedded);
