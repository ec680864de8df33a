namespace Vigil.Messaging;

/// <summary>A decoded record handed to a batch handler, with where it came from.</summary>
public sealed record ConsumedRecord<T>(string Topic, int Partition, long Offset, string? Key, DateTimeOffset Timestamp, T Value)
{
    public TopicPartitionRef TopicPartition => new(Topic, Partition);
}
