namespace Vigil.Messaging.Kafka;

/// <summary>What one consume loop reads, as which group, and what it does with records it cannot decode.</summary>
public sealed record KafkaConsumerRegistration(
    string GroupId,
    IReadOnlyList<string> Topics,
    UndecodableRecords Undecodable = UndecodableRecords.DeadLetter);
