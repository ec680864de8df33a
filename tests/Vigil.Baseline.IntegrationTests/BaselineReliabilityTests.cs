using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vigil.Baseline.Alerts;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Baseline;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging.Kafka;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.SchemaRegistry;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>Publish-once across a crash, and a baseline that notices when Redis lost its memory.</summary>
public sealed class BaselineReliabilityTests(RedisServer redis)
{
    [Fact]
    public async Task ACrashBetweenPublishAndCommitNeverPublishesABaselineAlertIdTwice()
    {
        await using var stack = new BaselineStack(redis);
        var mac = new BaselineTelemetry("mac-crash");
        var agent = SyncAgent("agent-1");
        var first = await stack.StartBaselineAsync();
        await stack.PublishAsync(NormalTraffic.Connections(mac, agent, 15, Start, 30 * Second, new Random(1)));
        await stack.DrainAsync(first, mac.HostId);
        Assert.Equal("mature", (await first.ProfileAsync("com.example.sync")).Maturity);
        await first.StopAsync();

        // The owner of the host's partition consumes an anomalous connection, publishes its alert, and dies before
        // anything else happens: its Redis commit and its offsets never happen.
        var anomalous = mac.Connect(agent, Start + (10 * Minute), "ftp", 21, "198.51.100.7");
        var partition = Murmur2Partitioner.Partition(mac.HostId, BaselineStack.TelemetryPartitions);
        // The offset it will have when it is published below (host views remember handled offsets).
        long nextOffset;
        using (var probe = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig { BootstrapServers = stack.BootstrapServers, GroupId = $"probe-{Guid.NewGuid():N}" }).Build())
        {
            nextOffset = probe.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(stack.TelemetryTopic, partition), TimeSpan.FromSeconds(10)).High.Value;
        }

        await using (var crashing = new CrashingOwner(stack))
        {
            await crashing.Handler.OnPartitionsAssignedAsync([new TopicPartitionRef(stack.TelemetryTopic, partition)]);
            var record = new ConsumedRecord<TelemetryEvent>(stack.TelemetryTopic, partition, nextOffset, mac.HostId, DateTime.UtcNow, anomalous);
            await Assert.ThrowsAsync<ProcessDiedException>(() => crashing.Handler.HandleAsync([record], CancellationToken.None));
        }

        await stack.Alerts.CaughtUpAsync(BaselineStack.AlertPartitions);
        var alertId = Assert.Single(stack.Alerts.Alerts).Id;

        // The record was never committed, so the next owner replays it and re-derives the same alert id.
        await stack.PublishAsync(anomalous);
        var next = await stack.StartBaselineAsync();
        await stack.DrainAsync(next, mac.HostId);

        Assert.Single(stack.Alerts.Alerts, a => a.Id == alertId);
        Assert.Single(stack.Alerts.Alerts);
        // The replay did reach the detector: the profile counts the alert now that the commit happened.
        Assert.Equal(1, (await next.ProfileAsync("com.example.sync")).Alerts);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ABaselineWhoseRedisLostItsProfilesSaysSoAndTreatsEveryImageAsImmature(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var mac = new BaselineTelemetry("mac-lost");
        var agent = SyncAgent("agent-1");
        var baseline = await stack.StartBaselineAsync();
        await stack.PublishAsync(NormalTraffic.Connections(mac, agent, 15, Start, 30 * Second, new Random(1)));
        await stack.DrainAsync(baseline, mac.HostId);
        Assert.Equal("mature", (await baseline.ProfileAsync("com.example.sync")).Maturity);
        var before = (await baseline.Client.ListProfilesAsync(new ListProfilesRequest { Filter = ProfileFilter.All }, cancellationToken: TestContext.Current.CancellationToken)).Memory;
        Assert.Equal("started-empty", before.Reason);

        // Redis loses every key of the baseline (as a restart without persistence, a flush or eviction would).
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint))
        {
            var server = connection.GetServers().Single();
            var doomed = server.Keys(pattern: $"{stack.KeyPrefix}*").ToArray();
            Assert.NotEmpty(doomed);
            await connection.GetDatabase().KeyDeleteAsync(doomed);
        }

        // An attack-like connection after the loss: with no memory it must not be judged against a profile.
        await stack.PublishAsync(mac.Connect(agent, Start + (10 * Minute), "ftp", 21, "198.51.100.7"));
        await BaselineStack.ProfileEventuallyAsync(baseline, "com.example.sync", p => p.Observations >= 1, "the baseline handled the connection after the loss");
        await stack.Alerts.CaughtUpAsync(BaselineStack.AlertPartitions);

        // The marker is checked at most once a second, on batches with network events: keep such batches coming.
        for (var i = 0; i < 30 && !baseline.Log.Any(line => line.Contains("LOST ITS MEMORY", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            await stack.PublishAsync(mac.Connect(agent, Start + (11 * Minute) + (i * Second)));
        }

        Assert.Contains(baseline.Log, line => line.Contains("LOST ITS MEMORY", StringComparison.Ordinal));
        var after = (await baseline.Client.ListProfilesAsync(new ListProfilesRequest { Filter = ProfileFilter.All }, cancellationToken: TestContext.Current.CancellationToken)).Memory;
        Assert.Equal("memory-lost", after.Reason);
        Assert.NotEqual(before.Id, after.Id);
        Assert.Equal("learning", (await baseline.ProfileAsync("com.example.sync")).Maturity);
        Assert.Empty(stack.Alerts.Alerts);
    }

    /// <summary>A baseline partition owner built from the service's parts, whose alert publisher dies right after the broker acknowledged.</summary>
    private sealed class CrashingOwner : IAsyncDisposable
    {
        private readonly KafkaProducerHandle producer;
        private readonly ConnectionMultiplexer connection;

        public CrashingOwner(BaselineStack stack)
        {
            var configs = new KafkaClientConfigFactory(Options.Create(new KafkaOptions { BootstrapServers = stack.BootstrapServers, ClientId = "crashing-owner" }));
            producer = new KafkaProducerHandle(configs, new KafkaMetrics(IsolatedMetrics.Factory()), NullLogger<KafkaProducerHandle>.Instance);
            var codec = new ProtobufRecordCodec<Alert>(schemaId: null);
            var manifest = TopicManifest.Load(stack.ManifestPath);
            // Encoded with a fixed schema id like the service's; read back by the schema-agnostic decoder it uses.
            var publisher = new DiesAfterPublishing(new KafkaTopicPublisher<Alert>(producer, new ProtobufRecordCodec<Alert>(schemaId: 2), stack.AlertTopic));
            var log = new PublishedAlertLog(new KafkaTopicReader<Alert>(configs, codec, NullLogger<KafkaTopicReader<Alert>>.Instance), manifest, "baseline/an1227");
            var options = new BaselineOptions
            {
                MinObservations = 20,
                MinAge = TimeSpan.FromMinutes(5),
                BucketWidth = TimeSpan.FromSeconds(10),
                MinVolumeSamples = 20,
                VolumeFloorBytes = 10000,
                HostStateRetention = TimeSpan.FromHours(1),
            };
            connection = ConnectionMultiplexer.Connect(stack.RedisEndpoint);
            var chains = new ProcessChainCache(options.ChainCacheCapacity);
            var metrics = new BaselineMetrics(IsolatedMetrics.Factory());
            Handler = new BaselineHandler(
                new BaselineDetector(options, new BaselineAlertBuilder(options, TimeProvider.System, "baseline/an1227"), chains, TimeProvider.System),
                new BaselineStore(connection, new BaselineKeys(new RedisKeys(stack.KeyPrefix)), options, metrics),
                chains,
                new AlertOutbox(publisher, log),
                null,
                metrics,
                NullLogger<BaselineHandler>.Instance);
        }

        public BaselineHandler Handler { get; }

        public async ValueTask DisposeAsync()
        {
            producer.Dispose();
            await connection.DisposeAsync();
        }
    }

    private sealed class DiesAfterPublishing(ITopicPublisher<Alert> inner) : ITopicPublisher<Alert>
    {
        public string Topic => inner.Topic;

        public Task<RecordPosition> PublishAsync(string key, Alert message, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The baseline publishes in batches.");

        public async Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, Alert>> records, CancellationToken cancellationToken = default)
        {
            await inner.PublishBatchAsync(records, cancellationToken);
            throw new ProcessDiedException();
        }
    }

    private sealed class ProcessDiedException() : Exception("The process died right after the broker acknowledged its alerts.");
}
