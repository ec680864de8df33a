using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Follows every partition of one topic without a consumer group: partitions are assigned, not subscribed, and
/// nothing is committed. Any number of followers each see every record once, from the end (new records only) or
/// from the beginning, which is what a person watching a topic expects (a group would split the partitions
/// between two watchers and replay records on every rebalance).
/// </summary>
public sealed class KafkaTopicFollower<T>(
    string topic,
    bool fromBeginning,
    KafkaClientConfigFactory configs,
    IRecordDecoder<T> decoder,
    IRecordBatchHandler<T> handler,
    ILogger<KafkaTopicFollower<T>> logger) : BackgroundService
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Follow(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task Follow(CancellationToken stoppingToken)
    {
        var config = configs.Consumer($"vigil-follower-{Guid.NewGuid():N}");
        config.EnableAutoCommit = false;
        config.GroupInstanceId = null;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        int[] partitions;
        using (var admin = new DependentAdminClientBuilder(consumer.Handle).Build())
        {
            partitions = [.. admin.GetMetadata(topic, MetadataTimeout).Topics.Single().Partitions.Select(p => p.PartitionId)];
        }

        var start = fromBeginning ? Offset.Beginning : Offset.End;
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, start)));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var result = consumer.Consume(stoppingToken);
                if (result?.Message is null)
                {
                    continue;
                }

                T value;
                try
                {
                    value = decoder.Decode(result.Message.Value ?? []);
                }
                catch (RecordDecodeException e)
                {
                    logger.LogWarning("Skipping undecodable record {Topic}[{Partition}]@{Offset}: {Reason}", topic, result.Partition.Value, result.Offset.Value, e.Reason);
                    continue;
                }

                var key = result.Message.Key is null ? null : Encoding.UTF8.GetString(result.Message.Key);
                var record = new ConsumedRecord<T>(topic, result.Partition.Value, result.Offset.Value, key, result.Message.Timestamp.UtcDateTime, value);
                await handler.HandleAsync([record], stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: nothing to commit, nothing to hand back.
        }
        finally
        {
            consumer.Close();
        }
    }
}
