using System.Globalization;
using Vigil.Baseline.UnitTests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vigil.Contracts.Baseline;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// What one test runs against: an embedded Kafka cluster with topics named for the test, a real redis-server with a
/// key prefix for the test, a telemetry publisher, an alert collector, and baseline instances started on demand
/// with the test's maturity and volume settings.
/// </summary>
internal sealed class BaselineStack : IAsyncDisposable
{
    public const int TelemetryPartitions = 8;
    public const int AlertPartitions = 2;

    private readonly EmbeddedKafkaBroker broker = new();
    private readonly string[] redisArguments;
    private readonly TemporaryDirectory directory = TemporaryDirectory.Create("vigil-baseline-");
    private readonly KafkaProducerHandle producer;
    private readonly KafkaTopicPublisher<TelemetryEvent> publisher;
    private readonly List<BaselineInstance> instances = [];
    private readonly Dictionary<string, int> drains = [];
    private readonly string suffix = Guid.NewGuid().ToString("N")[..12];

    /// <summary>A stack on a standalone redis-server; with <paramref name="protocol"/>, its baselines are given it as Redis:Protocol.</summary>
    public BaselineStack(RedisServer redis, IReadOnlyDictionary<string, string>? settings = null, RedisProtocol? protocol = null)
        : this([$"--Redis:Endpoints:0={redis.Endpoint}", .. protocol is null ? Array.Empty<string>() : [$"--Redis:Protocol={protocol}"]], redis.Endpoint, settings)
    {
        Protocol = protocol;
    }

    /// <summary>A stack whose state lives on a three-primary Redis Cluster; <paramref name="protocol"/> as for a standalone one.</summary>
    public BaselineStack(RedisClusterServer cluster, IReadOnlyDictionary<string, string>? settings = null, RedisProtocol? protocol = null)
        : this(
            [$"--Redis:Endpoints:0={string.Join(',', cluster.Endpoints)}", "--Redis:Mode=Cluster", .. protocol is null ? Array.Empty<string>() : [$"--Redis:Protocol={protocol}"]],
            string.Join(',', cluster.Endpoints),
            settings)
    {
        Protocol = protocol;
    }

    private BaselineStack(string[] redisArguments, string redisEndpoint, IReadOnlyDictionary<string, string>? settings)
    {
        this.redisArguments = redisArguments;
        RedisEndpoint = redisEndpoint;
        TelemetryTopic = $"t.{suffix}";
        AlertTopic = $"a.{suffix}";
        broker.Cluster.CreateTopic(TelemetryTopic, TelemetryPartitions, 3);
        broker.Cluster.CreateTopic(AlertTopic, AlertPartitions, 3);
        broker.Cluster.CreateTopic($"dlq.{suffix}", 1, 3);
        ManifestPath = Path.Combine(directory.Path, "topics.json");
        System.IO.File.WriteAllText(ManifestPath, $$"""
            {
              "topics": [
                { "role": "telemetry", "name": "{{TelemetryTopic}}", "partitions": {{TelemetryPartitions}}, "replicationFactor": 3, "key": "host.id", "valueMessage": "vigil.telemetry.v1.TelemetryEvent", "config": {} },
                { "role": "alerts", "name": "{{AlertTopic}}", "partitions": {{AlertPartitions}}, "replicationFactor": 3, "key": "host.id", "valueMessage": "vigil.alerts.v1.Alert", "config": {} },
                { "role": "dead-letter", "name": "dlq.{{suffix}}", "partitions": 1, "replicationFactor": 3, "key": "original key", "valueMessage": "original bytes", "config": {} }
              ],
              "consumerGroups": [
                { "name": "baseline.{{suffix}}", "service": "baseline", "analytic": "an1227", "topics": ["{{TelemetryTopic}}"] }
              ]
            }
            """);
        Settings = new Dictionary<string, string>
        {
            ["Baseline:MinObservations"] = "20",
            ["Baseline:MinAge"] = "00:05:00",
            ["Baseline:BucketWidth"] = "00:00:10",
            ["Baseline:MinVolumeSamples"] = "20",
            ["Baseline:VolumeFloorBytes"] = "10000",
            ["Baseline:HostStateRetention"] = "01:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            Settings[key] = value;
        }

        producer = new KafkaProducerHandle(
            new KafkaClientConfigFactory(Options.Create(new KafkaOptions { BootstrapServers = broker.BootstrapServers, ClientId = "baseline-test" })),
            new KafkaMetrics(IsolatedMetrics.Factory()),
            NullLogger<KafkaProducerHandle>.Instance);
        publisher = new KafkaTopicPublisher<TelemetryEvent>(producer, new ProtobufRecordCodec<TelemetryEvent>(1), TelemetryTopic);
        Alerts = new AlertCollector(broker.BootstrapServers, AlertTopic);
    }

    public string TelemetryTopic { get; }

    public string AlertTopic { get; }

    public string ManifestPath { get; }

    public string BootstrapServers => broker.BootstrapServers;

    /// <summary>The Redis:Protocol this stack's baselines are given (null: not set, the client negotiates).</summary>
    public RedisProtocol? Protocol { get; }

    /// <summary>Endpoints for a StackExchange.Redis connection string.</summary>
    public string RedisEndpoint { get; }

    public string KeyPrefix => $"t{suffix}";

    public Dictionary<string, string> Settings { get; }

    public AlertCollector Alerts { get; }

    /// <summary>Command-line arguments of a baseline process for this stack (also used for child processes).</summary>
    public IReadOnlyList<string> Arguments(string? keyPrefix = null, string? group = null)
    {
        var arguments = new List<string>
        {
            $"--Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Kafka:TopicManifest={ManifestPath}",
            "--Kafka:Consumer:MaxBatchWait=00:00:00.020",
            "--Kafka:Consumer:SessionTimeoutMs=6000",
            "--Kafka:Consumer:RetryBackoff=00:00:00.050",
            "--Kafka:Consumer:MaxRetryBackoff=00:00:00.200",
            $"--Redis:KeyPrefix={keyPrefix ?? KeyPrefix}",
        };
        arguments.AddRange(redisArguments);
        if (group is not null)
        {
            arguments.Add($"--Kafka:Consumer:GroupId={group}");
        }

        arguments.AddRange(Settings.Select(s => $"--{s.Key}={s.Value}"));
        return arguments;
    }

    public async Task<BaselineInstance> StartBaselineAsync(string? keyPrefix = null, string? group = null)
    {
        var instance = await BaselineInstance.StartAsync(Arguments(keyPrefix, group));
        instances.Add(instance);
        if (Protocol is { } protocol)
        {
            // The baseline's connection speaks what its Redis:Protocol says (not the client's own choice).
            await RedisProtocolAssert.SpeaksAsync(instance.Services.GetRequiredService<IConnectionMultiplexer>(), protocol);
        }

        return instance;
    }

    public Task PublishAsync(IEnumerable<TelemetryEvent> events) =>
        publisher.PublishBatchAsync(events.Select(e => KeyValuePair.Create(e.Host.Id, e)).ToList());

    public Task PublishAsync(params TelemetryEvent[] events) => PublishAsync((IEnumerable<TelemetryEvent>)events);

    /// <summary>
    /// Publishes a marker connection from each host and waits until <paramref name="instance"/> learned it: every
    /// event published before from those hosts (same partitions) has then been handled. Then reads every alert.
    /// </summary>
    public async Task DrainAsync(BaselineInstance instance, params string[] hostIds)
    {
        foreach (var host in hostIds)
        {
            drains[host] = drains.GetValueOrDefault(host) + 1;
            var marker = new BaselineTelemetry(host);
            var e = marker.Connect(new Process { Name = $"drain-marker-{host}" }, BaselineTelemetry.Start, "https", 443);
            e.Event.Id = $"{host}-drain-{drains[host]}";
            await PublishAsync(e);
        }

        foreach (var host in hostIds)
        {
            await ProfileEventuallyAsync(instance, $"name:drain-marker-{host}", p => p.Observations >= drains[host], $"the baseline handled the events of {host}");
        }

        await Alerts.CaughtUpAsync(AlertPartitions);
    }

    /// <summary>Waits until the profile of <paramref name="image"/> exists and satisfies <paramref name="condition"/>; returns it.</summary>
    public static async Task<Profile> ProfileEventuallyAsync(BaselineInstance instance, string image, Func<Profile, bool> condition, string what)
    {
        Profile? last = null;
        await Eventually.TrueAsync(
            () =>
            {
                try
                {
                    last = instance.Client.GetProfile(new GetProfileRequest { Image = image }, cancellationToken: TestContext.Current.CancellationToken).Profile;
                    return condition(last);
                }
                catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            what);
        return last!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in instances)
        {
            await instance.DisposeAsync();
        }

        Alerts.Dispose();
        producer.Dispose();
        await broker.DisposeAsync();
        directory.Dispose();
    }

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
