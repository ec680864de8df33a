using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// The poison-pill contract on the embedded dev cluster with the loop reading through Confluent's Consume
/// (Kafka:Consumer:ReadDirect false, and where the direct reader cannot bind): no record wedges a partition either way.
/// </summary>
public sealed class PoisonPillThroughConsumeOnEmbeddedBroker() : PoisonPillContract(KafkaBrokerKind.Embedded, readDirect: false);
