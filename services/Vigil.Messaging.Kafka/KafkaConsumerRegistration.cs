namespace Vigil.Messaging.Kafka;

/// <summary>What one consume loop reads, as which group, and what it does with records it cannot decode.</summary>
/// <param name="CompactedTopics">
/// Topics whose offsets have holes by design (cleanup.policy compact): a hole there is not counted as records skipped.
/// Vigil's own topics are delete-policy and written without transactions, so every offset is a record and a hole is loss.
/// </param>
public sealed record KafkaConsumerRegistration(
    string GroupId,
    IReadOnlyList<string> Topics,
    UndecodableRecords Undecodable = UndecodableRecords.DeadLetter,
    IReadOnlyCollection<string>? CompactedTopics = null);
