using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// The transport contract on the embedded dev cluster with the loop reading through Confluent's Consume
/// (Kafka:Consumer:ReadDirect false, and where the direct reader cannot bind): the same records, order and offsets.
/// </summary>
public sealed class KafkaTransportThroughConsumeOnEmbeddedBroker() : KafkaTransportContract(KafkaBrokerKind.Embedded, readDirect: false);
