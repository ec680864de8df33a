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
}
