namespace Vigil.Messaging.Kafka;

/// <summary>What a consume loop does with a record its decoder refuses.</summary>
public enum UndecodableRecords
{
    /// <summary>
    /// Write it to the dead-letter topic (a bounded copy when it is too large to copy whole), then move on.
    /// Right for the tier where telemetry enters, so each bad record is dead-lettered exactly once.
    /// </summary>
    DeadLetter,

    /// <summary>
    /// Count it (vigil_undecodable_records_total), log it rate-limited and move on, without writing
    /// another copy: right for the many groups that read the canonical topic after the ingest tier
    /// validated it, where each group would otherwise add its own copy of the same record.
    /// </summary>
    CountAndSkip,
}
