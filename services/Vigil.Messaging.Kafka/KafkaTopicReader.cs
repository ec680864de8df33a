using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka;

/// <summary>Reads offset ranges of a topic with a manually assigned consumer that joins no group and commits nothing.</summary>
public sealed class KafkaTopicReader<T>(KafkaClientConfigFactory configs, IRecordDecoder<T> decoder, ILogger<KafkaTopicReader<T>> logger) : ITopicReader<T>
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    public Task<IReadOnlyDictionary<int, long>> EndOffsetsAsync(string topic, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            using var consumer = Build();
            return EndOffsets(consumer, topic);
        }, cancellationToken);

    public Task<IReadOnlyList<ConsumedRecord<T>>> ReadToEndAsync(string topic, IReadOnlyDictionary<int, long> fromOffsets, CancellationToken cancellationToken = default) =>
        Task.Run(() => ReadToEnd(topic, fromOffsets, cancellationToken), cancellationToken);

    private IReadOnlyList<ConsumedRecord<T>> ReadToEnd(string topic, IReadOnlyDictionary<int, long> fromOffsets, CancellationToken cancellationToken)
    {
        using var consumer = Build();
        var ends = EndOffsets(consumer, topic);
        var pending = fromOffsets.Where(f => ends.TryGetValue(f.Key, out var end) && f.Value < end).ToDictionary(f => f.Key, f => ends[f.Key]);
        var records = new List<ConsumedRecord<T>>();
        if (pending.Count == 0)
        {
            return records;
        }

        consumer.Assign(pending.Keys.Select(p => new TopicPartitionOffset(topic, p, fromOffsets[p])));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            var partition = result.Partition.Value;
            if (result.Offset.Value + 1 >= pending.GetValueOrDefault(partition, long.MaxValue))
            {
                pending.Remove(partition);
            }

            try
            {
                var key = result.Message.Key is null ? null : Encoding.UTF8.GetString(result.Message.Key);
                records.Add(new ConsumedRecord<T>(topic, partition, result.Offset.Value, key, result.Message.Timestamp.UtcDateTime, decoder.Decode(result.Message.Value ?? [])));
            }
            catch (RecordDecodeException e)
            {
                logger.LogWarning("Skipping undecodable record {Topic}[{Partition}]@{Offset}: {Reason}", topic, partition, result.Offset.Value, e.Reason);
            }
        }

        consumer.Close();
        return records;
    }

    private static IReadOnlyDictionary<int, long> EndOffsets(IConsumer<byte[]?, byte[]?> consumer, string topic)
    {
        var ends = new Dictionary<int, long>();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, MetadataTimeout).Topics.Single().Partitions.Select(p => p.PartitionId);
        foreach (var partition in partitions)
        {
            ends[partition] = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), MetadataTimeout).High.Value;
        }

        return ends;
    }

    private IConsumer<byte[]?, byte[]?> Build()
    {
        var config = configs.Consumer($"vigil-reader-{Guid.NewGuid():N}");
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, m) => logger.Log(KafkaLog.Level(m.Level), "librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .Build();
    }
}
