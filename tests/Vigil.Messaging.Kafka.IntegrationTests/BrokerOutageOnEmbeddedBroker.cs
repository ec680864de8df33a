using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// One broker down, its partitions' leadership not moved (as librdkafka's mock keeps it): producers keep
/// delivering to the partitions whose leaders are up and hold the rest until the broker returns; consumers
/// report readiness false while no broker is reachable and true again after.
/// </summary>
public sealed class BrokerOutageOnEmbeddedBroker : BrokerContract
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public BrokerOutageOnEmbeddedBroker()
        : base(KafkaBrokerKind.Embedded)
    {
    }

    [Fact]
    public async Task WhileOneBrokerIsDownRecordsForPartitionsLedByTheOthersAreStillDelivered()
    {
        var broker = (EmbeddedKafkaBroker)Broker;
        await using var pipeline = new KafkaTestPipeline(broker, "degrade");
        await pipeline.CreateTopicsAsync();
        for (var partition = 0; partition < KafkaTestPipeline.Partitions; partition++)
        {
            broker.Cluster.SetPartitionLeader(pipeline.TelemetryTopic, partition, partition < 3 ? 1 : 2);
        }

        // Its own producer, whose records may wait a minute for a leader (the pipeline's gives up after 5 s).
        using var producer = new KafkaProducerHandle(
            new KafkaClientConfigFactory(Microsoft.Extensions.Options.Options.Create(new KafkaOptions
            {
                BootstrapServers = broker.BootstrapServers,
                Producer = new KafkaProducerSettings { MessageTimeoutMs = 60_000 },
            })),
            pipeline.Metrics,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<KafkaProducerHandle>.Instance);
        var publisher = new KafkaTopicPublisher<Contracts.Telemetry.TelemetryEvent>(producer, pipeline.Codec, pipeline.TelemetryTopic);
        await publisher.PublishBatchAsync([KeyValuePair.Create("mac-0000", KafkaTestPipeline.Event("mac-0000", 0))], TestContext.Current.CancellationToken);
        broker.Cluster.SetBrokerDown(2);
        try
        {
            var events = Enumerable.Range(0, 60).Select(h => KafkaTestPipeline.Event($"mac-{h:D4}", 1)).ToList();
            var deliveries = events.Select(e => (Partition: Murmur2Partitioner.Partition(e.Host.Id, KafkaTestPipeline.Partitions), Delivery: publisher.PublishAsync(e.Host.Id, e, TestContext.Current.CancellationToken))).ToList();
            var up = deliveries.Where(d => d.Partition < 3).ToList();
            var down = deliveries.Where(d => d.Partition >= 3).ToList();
            Assert.NotEmpty(up);
            Assert.NotEmpty(down);

            await Task.WhenAll(up.Select(d => d.Delivery)).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            Assert.All(down, d => Assert.False(d.Delivery.IsCompleted, "a record for the down broker's partition cannot have been acknowledged"));

            broker.Cluster.SetBrokerUp(2);
            await Task.WhenAll(down.Select(d => d.Delivery)).WaitAsync(Patience, TestContext.Current.CancellationToken);
            Assert.All(down, d => Assert.True(d.Delivery.IsCompletedSuccessfully));
        }
        finally
        {
            broker.Cluster.SetBrokerUp(2);
        }
    }

    [Fact]
    public async Task ReadinessIsFalseWhileNoBrokerIsReachableAndTrueAgainAfter()
    {
        var broker = (EmbeddedKafkaBroker)Broker;
        await using var pipeline = new KafkaTestPipeline(broker, "unreachable");
        await pipeline.CreateTopicsAsync();
        var handler = new RecordingHandler();
        var loop = await pipeline.StartLoopAsync(handler);
        var published = await pipeline.PublishAsync(hosts: 4, perHost: 2);
        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Handled) && loop.Ready, Patience, "the loop consumes and is ready");

        broker.Cluster.SetBrokerDown(-1);
        try
        {
            await Eventually.TrueAsync(() => loop.Health.StateOf(pipeline.Group) == "Unreachable" && !loop.Ready, TimeSpan.FromSeconds(30), "readiness turns false within 30 s of losing every broker");
        }
        finally
        {
            broker.Cluster.SetBrokerUp(-1);
        }

        await Eventually.TrueAsync(() => loop.Ready, Patience, "readiness turns true again once the brokers are back");
    }
}
