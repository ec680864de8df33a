namespace Vigil.Messaging;

/// <summary>A decoded record handed to a batch handler, with where it came from.</summary>
public sealed record ConsumedRecord<T>(string Topic, int Partition, long Offset, string? Key, DateTimeOffset Timestamp, T Value)
{
    public TopicPartitionRef TopicPartition => new(Topic, Partition);

    /// <summary>What the handler's <see cref="IRecordPreparer{T}"/> worked out of the value on the consume thread; 0 when nothing was.</summary>
    public ulong Preparation { get; init; }
}
