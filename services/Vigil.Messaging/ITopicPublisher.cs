namespace Vigil.Messaging;

/// <summary>Publishes messages of one type to one topic, keyed (e.g. by host.id) for partition placement.</summary>
public interface ITopicPublisher<T>
{
    string Topic { get; }

    /// <summary>Completes when the broker acknowledged the record (acks=all), with where it was written.</summary>
    Task<RecordPosition> PublishAsync(string key, T message, CancellationToken cancellationToken = default);

    /// <summary>Publishes all records and completes when every one was acknowledged (positions in input order); fails if any failed.</summary>
    Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, T>> records, CancellationToken cancellationToken = default);
}
