namespace Vigil.Messaging;

/// <summary>Publishes messages of one type to one topic, keyed (e.g. by host.id) for partition placement.</summary>
public interface ITopicPublisher<T>
{
    string Topic { get; }

    /// <summary>Completes when the broker acknowledged the record (acks=all).</summary>
    Task PublishAsync(string key, T message, CancellationToken cancellationToken = default);

    /// <summary>Publishes all records and completes when every one was acknowledged; fails if any failed.</summary>
    Task PublishBatchAsync(IReadOnlyList<KeyValuePair<string, T>> records, CancellationToken cancellationToken = default);
}
