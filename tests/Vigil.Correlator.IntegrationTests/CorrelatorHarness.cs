using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// A correlator running against the embedded broker and a real redis-server, with a test's own topics,
/// a producer for telemetry and a reader for alerts.
/// </summary>
internal sealed class CorrelatorHarness : IAsyncDisposable
{
    public const string Analytic = "installer-network";
    private readonly List<WebApplication> running = [];
    private readonly KafkaProducerHandle producer;
    private readonly KafkaTopicPublisher<TelemetryEvent> publisher;
    private readonly ProtobufRecordCodec<Alert> alertCodec = new(schemaId: null);

    private CorrelatorHarness(IKafkaBroker broker, RedisServer redis, TestTopics topics, string manifest, DirectoryInfo workDir, RedisProtocol? protocol)
    {
        Broker = broker;
        Redis = redis;
        Protocol = protocol;
        Topics = topics;
        ManifestPath = manifest;
        WorkDir = workDir;
        producer = new KafkaProducerHandle(
            new KafkaClientConfigFactory(Options.Create(new KafkaOptions { BootstrapServers = broker.BootstrapServers })),
            new KafkaMetrics(IsolatedMetrics.Factory()),
            NullLogger<KafkaProducerHandle>.Instance);
        publisher = new KafkaTopicPublisher<TelemetryEvent>(producer, new ProtobufRecordCodec<TelemetryEvent>(1), topics.Telemetry);
    }

    public IKafkaBroker Broker { get; }

    public RedisServer Redis { get; }

    /// <summary>The Redis:Protocol correlators of this harness are given (null: not set, the client negotiates).</summary>
    public RedisProtocol? Protocol { get; }

    public TestTopics Topics { get; }

    public string ManifestPath { get; }

    public DirectoryInfo WorkDir { get; }

    public static string RulesFolder => Path.Combine(AppContext.BaseDirectory, "files", "installer_pack");

    /// <summary>A single-event rule with [rule.alert_suppression] by host.id.</summary>
    public static string SuppressionRulesFolder => Path.Combine(AppContext.BaseDirectory, "files", "suppression_pack");

    public static async Task<CorrelatorHarness> StartAsync(IKafkaBroker broker, RedisServer redis, string name, RedisProtocol? protocol = null)
    {
        var topics = new TestTopics(broker, name, telemetryPartitions: 6, [new Vigil.Messaging.ConsumerGroupDeclaration("vigil.correlator", "correlator", Analytic, [])]);
        await topics.CreateAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-correlator-");
        return new CorrelatorHarness(broker, redis, topics, topics.WriteManifest(workDir.FullName), workDir, protocol);
    }

    /// <summary>Command-line arguments of a correlator wired to this harness (for in-process hosts and child processes).</summary>
    public string[] Arguments(string? groupOverride = null, string rules = "") =>
    [
        "--analytic", Analytic,
        "--rules", rules.Length > 0 ? rules : RulesFolder,
        "--urls", "http://127.0.0.1:0",
        $"--Kafka:BootstrapServers={Broker.BootstrapServers}",
        $"--Kafka:TopicManifest={ManifestPath}",
        "--Kafka:Consumer:MaxBatchWait=00:00:00.020",
        "--Kafka:Consumer:SessionTimeoutMs=6000",
        "--Kafka:Consumer:CommitIntervalMs=300",
        .. groupOverride is null ? Array.Empty<string>() : [$"--Kafka:Consumer:GroupId={groupOverride}"],
        $"--Redis:Endpoints:0={Redis.Endpoint}",
        .. Protocol is null ? Array.Empty<string>() : [$"--Redis:Protocol={Protocol}"],
        "--Correlator:QuietHostScanInterval=00:00:00.100",
        "--Vigil:LogFormat=simple",
        "--Logging:LogLevel:Default=Warning",
    ];

    /// <summary>Starts a correlator in this process.</summary>
    public async Task<WebApplication> StartCorrelatorAsync(string? groupOverride = null, string rules = "")
    {
        var app = CorrelatorApp.Build(Arguments(groupOverride, rules));
        await app.StartAsync();
        running.Add(app);
        return app;
    }

    /// <summary>The correlator's Redis connection speaks <see cref="Protocol"/>, as its Redis:Protocol says.</summary>
    public Task AssertSpeaksItsProtocolAsync(WebApplication correlator)
    {
        var protocol = Protocol ?? throw new InvalidOperationException("This harness sets no Redis:Protocol.");
        return RedisProtocolAssert.SpeaksAsync(correlator.Services.GetRequiredService<IConnectionMultiplexer>(), protocol);
    }

    public Task PublishAsync(params TelemetryEvent[] events) =>
        publisher.PublishBatchAsync(events.Select(e => KeyValuePair.Create(e.Host.Id, e)).ToList());

    /// <summary>Every alert on the alert topic so far, waiting until at least <paramref name="expected"/> arrived (or the timeout).</summary>
    public List<Alert> Alerts(int expected, TimeSpan timeout) =>
        Topics.ReadAll(Topics.Alerts, expected, timeout).Select(r => alertCodec.Decode(r.Message.Value)).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var app in running)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        producer.Dispose();
        WorkDir.Delete(recursive: true);
    }
}
