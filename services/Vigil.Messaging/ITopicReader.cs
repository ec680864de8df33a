namespace Vigil.Messaging;

/// <summary>Reads ranges of a topic outside any consumer group (no commits), e.g. to recover what was already published.</summary>
public interface ITopicReader<T>
{
    /// <summary>The offset the next record of each partition will get (the high watermarks).</summary>
    Task<IReadOnlyDictionary<int, long>> EndOffsetsAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>Every record from the given offsets up to the end offsets as of the call; undecodable records are skipped.</summary>
    Task<IReadOnlyList<ConsumedRecord<T>>> ReadToEndAsync(string topic, IReadOnlyDictionary<int, long> fromOffsets, CancellationToken cancellationToken = default);
}
