namespace Vigil.Messaging.Kafka;

/// <summary>What one consume loop reads and as which group.</summary>
public sealed record KafkaConsumerRegistration(string GroupId, IReadOnlyList<string> Topics);
