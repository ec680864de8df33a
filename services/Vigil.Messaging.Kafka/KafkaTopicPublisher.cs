using System.Text;
using Confluent.Kafka;

namespace Vigil.Messaging.Kafka;

/// <summary>Publishes one message type to one topic through the process's producer, keyed for murmur2 placement.</summary>
public sealed class KafkaTopicPublisher<T>(KafkaProducerHandle producer, IRecordEncoder<T> encoder, string topic) : ITopicPublisher<T>
{
    public string Topic { get; } = topic;

    public Task<RecordPosition> PublishAsync(string key, T message, CancellationToken cancellationToken = default) =>
        producer.ProduceAsync(Topic, ToMessage(key, message), cancellationToken);

    public async Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, T>> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0)
        {
            return [];
        }

        var deliveries = new Task<RecordPosition>[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            deliveries[i] = producer.ProduceAsync(Topic, ToMessage(records[i].Key, records[i].Value), cancellationToken);
        }

        return await Task.WhenAll(deliveries).ConfigureAwait(false);
    }

    private Message<byte[]?, byte[]?> ToMessage(string key, T message) => new()
    {
        Key = Encoding.UTF8.GetBytes(key),
        Value = encoder.Encode(message),
    };
}
