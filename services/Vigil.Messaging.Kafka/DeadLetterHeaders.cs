namespace Vigil.Messaging.Kafka;

/// <summary>Headers a dead-lettered record carries next to its original key, value and headers.</summary>
public static class DeadLetterHeaders
{
    /// <summary>Short machine-readable reason (e.g. bad-magic-byte).</summary>
    public const string Reason = "vigil.dlq.reason";

    /// <summary>The full error message.</summary>
    public const string Error = "vigil.dlq.error";

    public const string SourceTopic = "vigil.dlq.source.topic";

    public const string SourcePartition = "vigil.dlq.source.partition";

    public const string SourceOffset = "vigil.dlq.source.offset";

    /// <summary>Consumer group that failed to decode it.</summary>
    public const string ConsumerGroup = "vigil.dlq.consumer.group";

    /// <summary>When it was dead-lettered, ISO-8601 UTC.</summary>
    public const string FailedAt = "vigil.dlq.failed.at";

    /// <summary>Which document of a record holding many (a search response, NDJSON) was rejected, counted from 0.</summary>
    public const string DocumentIndex = "vigil.dlq.document.index";

    /// <summary>How many documents that record held; when more than one, the value is the rejected document alone.</summary>
    public const string DocumentCount = "vigil.dlq.document.count";
    /// <summary>
    /// "true" when the value is only the head of the original record, because the whole record plus
    /// these headers would exceed the dead-letter topic's size limit. The original stays in the source
    /// topic (at the source coordinates) for forensics until its retention ends.
    /// </summary>
    public const string Truncated = "vigil.dlq.truncated";

    /// <summary>Size in bytes of the original value (set on every dead letter).</summary>
    public const string OriginalSize = "vigil.dlq.original.size";

    /// <summary>Lower-case hex SHA-256 of the original value (set on every dead letter).</summary>
    public const string OriginalSha256 = "vigil.dlq.original.sha256";

    /// <summary>Size in bytes of the original key and headers when a bounded copy had to drop them.</summary>
    public const string OriginalKeySize = "vigil.dlq.original.key.size";

    /// <summary>How many of the original headers a bounded copy dropped.</summary>
    public const string DroppedHeaders = "vigil.dlq.dropped.headers";
}
