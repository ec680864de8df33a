using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Sends records that cannot be decoded to the dead-letter topic with headers naming the error, the
/// source topic/partition/offset, the original size and SHA-256, so nothing is lost and the record can
/// be found and replayed. A record too large to copy whole (with those headers) under the dead-letter
/// topic's <c>max.message.bytes</c> is sent as a bounded copy (its head, flagged truncated): a record
/// must never be able to wedge its partition by being unable to leave it.
/// </summary>
public sealed class DeadLetterPublisher
{
    /// <summary>Room left for Kafka's own record and batch framing next to key, value and headers.</summary>
    private const int FramingReserve = 1024;

    /// <summary>Most bytes of the original value a bounded copy keeps.</summary>
    private const int MaxHeadBytes = 64 * 1024;

    /// <summary>Most bytes of the original key a bounded copy keeps.</summary>
    private const int MaxKeyBytes = 4 * 1024;

    /// <summary>A bounded copy keeps the original headers only when they are this small together.</summary>
    private const int MaxKeptHeaderBytes = 16 * 1024;

    private readonly KafkaProducerHandle producer;
    private readonly KafkaMetrics metrics;
    private readonly ILogger<DeadLetterPublisher> logger;
    private readonly LogThrottle throttle = new();

    public DeadLetterPublisher(KafkaProducerHandle producer, TopicManifest manifest, KafkaMetrics metrics, ILogger<DeadLetterPublisher> logger)
    {
        this.producer = producer;
        this.metrics = metrics;
        this.logger = logger;
        var topic = manifest.Topic(TopicRole.DeadLetter);
        Topic = topic.Name;
        // The producer's own limit applies too; the smaller of the two decides what fits.
        MaxRecordBytes = Math.Min(MessageSizeLimit.ForTopic(topic), producer.MaxMessageBytes);
        metrics.RecordsProduced.WithLabels(Topic);
        metrics.ProduceErrors.WithLabels(Topic);
    }

    public string Topic { get; }

    /// <summary>Largest dead letter (key + value + headers) this publisher sends.</summary>
    public int MaxRecordBytes { get; }

    internal Task PublishAsync(IReadOnlyList<(ConsumeResult<byte[]?, byte[]?> Record, string Reason, string Error)> failures, string group, CancellationToken cancellationToken)
    {
        var deliveries = new Task[failures.Count];
        var failedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        for (var i = 0; i < failures.Count; i++)
        {
            var (record, reason, error) = failures[i];
            if (throttle.TryPass(reason, out var suppressed))
            {
                logger.LogWarning(
                    "Dead-lettering {Topic}[{Partition}]@{Offset} ({Size} bytes): {Reason}: {Error}{Suppressed}",
                    record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Value?.Length ?? 0, reason, error,
                    suppressed > 0 ? $" ({suppressed} more with this reason since the last line)" : string.Empty);
            }

            deliveries[i] = Deliver(record, reason, error, group, failedAt, cancellationToken);
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

        // One document of a record can still be too large to copy whole: keep its head, size and hash, like undecodable records.
        var kept = value;
        if (value.Length + HeaderBytes(headers) + FramingReserve + MaxKeyBytes > MaxRecordBytes)
        {
            AddText(headers, DeadLetterHeaders.Truncated, "true");
            AddText(headers, DeadLetterHeaders.OriginalSize, value.Length.ToString(CultureInfo.InvariantCulture));
            AddText(headers, DeadLetterHeaders.OriginalSha256, Convert.ToHexStringLower(SHA256.HashData(value.Span)));
            kept = value[..Math.Min(value.Length, MaxHeadBytes)];
        }

        var key = record.Key is null ? null : Encoding.UTF8.GetBytes(record.Key);
        var message = new Message<byte[]?, byte[]?>
        {
            Key = key is { Length: > MaxKeyBytes } ? key[..MaxKeyBytes] : key,
            Value = kept.ToArray(),
            Headers = headers,
            Timestamp = new Timestamp(record.Timestamp),
        };
        return DeliverRejected(record.Topic, reason, message, cancellationToken);
    }

    private async Task DeliverRejected(string sourceTopic, string reason, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken)
    {
        await producer.ProduceAsync(Topic, message, cancellationToken).ConfigureAwait(false);
        metrics.DeadLettered.WithLabels(sourceTopic, reason).Inc();
    }

    private async Task Deliver(ConsumeResult<byte[]?, byte[]?> record, string reason, string error, string group, string failedAt, CancellationToken cancellationToken)
    {
        var message = Build(record, reason, error, group, failedAt, bounded: null);
        try
        {
            await producer.ProduceAsync(Topic, message, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaDeliveryException e) when (e.InnerException is ProduceException<byte[]?, byte[]?> p
            && p.Error.Code is ErrorCode.MsgSizeTooLarge)
        {
            // The broker's limit is lower than the manifest says: send the smallest useful copy instead of retrying forever.
            logger.LogWarning("Dead letter of {Topic}[{Partition}]@{Offset} was too large for the broker; sending a minimal copy", record.Topic, record.Partition.Value, record.Offset.Value);
            await producer.ProduceAsync(Topic, Build(record, reason, error, group, failedAt, bounded: 1024), cancellationToken).ConfigureAwait(false);
        }

        metrics.DeadLettered.WithLabels(record.Topic, reason).Inc();
    }

    private Message<byte[]?, byte[]?> Build(ConsumeResult<byte[]?, byte[]?> record, string reason, string error, string group, string failedAt, int? bounded)
    {
        var value = record.Message.Value ?? [];
        var key = record.Message.Key;
        var headers = new Headers();
        AddText(headers, DeadLetterHeaders.Reason, reason);
        AddText(headers, DeadLetterHeaders.Error, error.Length > 2048 ? error[..2048] : error);
        AddText(headers, DeadLetterHeaders.SourceTopic, record.Topic);
        AddText(headers, DeadLetterHeaders.SourcePartition, record.Partition.Value.ToString(CultureInfo.InvariantCulture));
        AddText(headers, DeadLetterHeaders.SourceOffset, record.Offset.Value.ToString(CultureInfo.InvariantCulture));
        AddText(headers, DeadLetterHeaders.ConsumerGroup, group);
        AddText(headers, DeadLetterHeaders.FailedAt, failedAt);
        AddText(headers, DeadLetterHeaders.OriginalSize, value.Length.ToString(CultureInfo.InvariantCulture));
        AddText(headers, DeadLetterHeaders.OriginalSha256, Convert.ToHexStringLower(SHA256.HashData(value)));

        var ownHeaderBytes = HeaderBytes(headers);
        var originalHeaders = record.Message.Headers ?? [];
        var originalHeaderBytes = HeaderBytes(originalHeaders);
        var whole = (key?.Length ?? 0) + value.Length + ownHeaderBytes + originalHeaderBytes + FramingReserve;
        if (bounded is null && whole <= MaxRecordBytes)
        {
            foreach (var header in originalHeaders)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }

            return new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = headers, Timestamp = record.Message.Timestamp };
        }

        // A bounded copy: the head of the value, a bounded key and only small original headers, always
        // far below the limit whatever the original looked like.
        AddText(headers, DeadLetterHeaders.Truncated, "true");
        if (key is { Length: > MaxKeyBytes })
        {
            AddText(headers, DeadLetterHeaders.OriginalKeySize, key.Length.ToString(CultureInfo.InvariantCulture));
            key = key[..MaxKeyBytes];
        }

        if (bounded is null && originalHeaderBytes <= MaxKeptHeaderBytes)
        {
            foreach (var header in originalHeaders)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }
        else if (originalHeaders.Count > 0)
        {
            AddText(headers, DeadLetterHeaders.DroppedHeaders, originalHeaders.Count.ToString(CultureInfo.InvariantCulture));
        }

        var head = bounded ?? Math.Min(MaxHeadBytes, Math.Max(0, (MaxRecordBytes - FramingReserve - MaxKeyBytes - MaxKeptHeaderBytes - 4096) / 2));
        return new Message<byte[]?, byte[]?>
        {
            Key = key,
            Value = value.Length <= head ? value : value[..head],
            Headers = headers,
            Timestamp = record.Message.Timestamp,
        };
    }

    private static void AddText(Headers headers, string name, string value) => headers.Add(name, Encoding.UTF8.GetBytes(value));

    private static int HeaderBytes(Headers headers) => headers.Sum(h => Encoding.UTF8.GetByteCount(h.Key) + (h.GetValueBytes()?.Length ?? 0) + 8);
}
