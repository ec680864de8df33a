using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Sends records that cannot be decoded to the dead-letter topic, unchanged, with headers naming the
/// error and the source topic/partition/offset, so nothing is lost and the record can be replayed.
/// </summary>
public sealed class DeadLetterPublisher(KafkaProducerHandle producer, TopicManifest manifest, ILogger<DeadLetterPublisher> logger)
{
    public string Topic { get; } = manifest.Topic(TopicRole.DeadLetter).Name;

    internal Task PublishAsync(IReadOnlyList<(ConsumeResult<byte[]?, byte[]?> Record, string Reason, string Error)> failures, string group, CancellationToken cancellationToken)
    {
        var deliveries = new Task[failures.Count];
        var failedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        for (var i = 0; i < failures.Count; i++)
        {
            var (record, reason, error) = failures[i];
            logger.LogWarning(
                "Dead-lettering {Topic}[{Partition}]@{Offset}: {Reason}: {Error}",
                record.Topic, record.Partition.Value, record.Offset.Value, reason, error);
            var headers = new Headers();
            if (record.Message.Headers is not null)
            {
                foreach (var header in record.Message.Headers)
                {
                    headers.Add(header.Key, header.GetValueBytes());
                }
            }

            headers.Add(DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(reason));
            headers.Add(DeadLetterHeaders.Error, Encoding.UTF8.GetBytes(error));
            headers.Add(DeadLetterHeaders.SourceTopic, Encoding.UTF8.GetBytes(record.Topic));
            headers.Add(DeadLetterHeaders.SourcePartition, Encoding.UTF8.GetBytes(record.Partition.Value.ToString(CultureInfo.InvariantCulture)));
            headers.Add(DeadLetterHeaders.SourceOffset, Encoding.UTF8.GetBytes(record.Offset.Value.ToString(CultureInfo.InvariantCulture)));
            headers.Add(DeadLetterHeaders.ConsumerGroup, Encoding.UTF8.GetBytes(group));
            headers.Add(DeadLetterHeaders.FailedAt, Encoding.UTF8.GetBytes(failedAt));
            var message = new Message<byte[]?, byte[]?>
            {
                Key = record.Message.Key,
                Value = record.Message.Value,
                Headers = headers,
                Timestamp = record.Message.Timestamp,
            };
            deliveries[i] = Deliver(record.Topic, reason, message, cancellationToken);
        }

        return Task.WhenAll(deliveries);
    }

    /// <summary>
    /// Dead-letters a record a handler rejected after decoding (e.g. an agent document ingest cannot use):
    /// <paramref name="value"/> is what to keep (the record, or the one rejected document of a record holding many),
    /// with the same headers as undecodable records plus <paramref name="extraHeaders"/>.
    /// </summary>
    public Task PublishRejectedAsync(
        ConsumedRecord<byte[]> record,
        ReadOnlyMemory<byte> value,
        string reason,
        string error,
        IReadOnlyList<KeyValuePair<string, string>> extraHeaders,
        string group,
        CancellationToken cancellationToken)
    {
        logger.LogWarning(
            "Dead-lettering {Topic}[{Partition}]@{Offset}: {Reason}: {Error}", record.Topic, record.Partition, record.Offset, reason, error);
        var headers = new Headers
        {
            { DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(reason) },
            { DeadLetterHeaders.Error, Encoding.UTF8.GetBytes(error) },
            { DeadLetterHeaders.SourceTopic, Encoding.UTF8.GetBytes(record.Topic) },
            { DeadLetterHeaders.SourcePartition, Encoding.UTF8.GetBytes(record.Partition.ToString(CultureInfo.InvariantCulture)) },
            { DeadLetterHeaders.SourceOffset, Encoding.UTF8.GetBytes(record.Offset.ToString(CultureInfo.InvariantCulture)) },
            { DeadLetterHeaders.ConsumerGroup, Encoding.UTF8.GetBytes(group) },
            { DeadLetterHeaders.FailedAt, Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)) },
        };
        foreach (var (name, text) in extraHeaders)
        {
            headers.Add(name, Encoding.UTF8.GetBytes(text));
        }

        var message = new Message<byte[]?, byte[]?>
        {
            Key = record.Key is null ? null : Encoding.UTF8.GetBytes(record.Key),
            Value = value.ToArray(),
            Headers = headers,
            Timestamp = new Timestamp(record.Timestamp),
        };
        return Deliver(record.Topic, reason, message, cancellationToken);
    }

    private async Task Deliver(string sourceTopic, string reason, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken)
    {
        await producer.ProduceAsync(Topic, message, cancellationToken).ConfigureAwait(false);
        KafkaMetrics.DeadLettered.WithLabels(sourceTopic, reason).Inc();
    }
}
