namespace Vigil.Messaging;

/// <summary>A decoded record handed to a batch handler, with where it came from.</summary>
/// <remarks>
/// One is made per consumed record, so its size is paid per event: the timestamp is kept as UTC ticks (a Kafka timestamp
/// is an instant; a DateTimeOffset field would take 16 bytes), which keeps the record at 72 bytes with
/// <see cref="Preparation"/>.
/// </remarks>
public sealed record ConsumedRecord<T>(string Topic, int Partition, long Offset, string? Key, DateTimeOffset Timestamp, T Value)
{
    private readonly long timestampTicks = Timestamp.UtcTicks;

    /// <summary>When the record was produced (or appended), as an instant in UTC.</summary>
    public DateTimeOffset Timestamp
    {
        get => new(timestampTicks, TimeSpan.Zero);
        init => timestampTicks = value.UtcTicks;
    }

    public TopicPartitionRef TopicPartition => new(Topic, Partition);

    /// <summary>
    /// What the handler's <see cref="IRecordPreparer{T}"/> worked out of <see cref="Value"/> on the consume thread; 0 when
    /// nothing was. It belongs to this value as the loop decoded it: a copy with another value (<c>with</c>) must reset it.
    /// </summary>
    public ulong Preparation { get; init; }
}
