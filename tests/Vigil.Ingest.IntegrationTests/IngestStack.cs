using System.Text;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Correlator;
using Vigil.Messaging;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Ingest.IntegrationTests;

/// <summary>
/// vigil-ingest and one correlator per rule pack in rules/, in this process, on the embedded broker and a real
/// redis-server, with a test's own topics: raw elastic → ingest → telemetry → correlators → alerts.
/// </summary>
internal sealed class IngestStack : IAsyncDisposable
{
    public static readonly string[] Analytics = ["an0167", "an0425", "an0994", "installer-network"];
    private readonly List<WebApplication> running = [];
    private readonly IProducer<byte[]?, byte[]?> producer;
    private readonly DirectoryInfo workDir;

    private IngestStack(IKafkaBroker broker, RedisServer redis, TestTopics topics, DirectoryInfo workDir)
    {
        Broker = broker;
        Redis = redis;
        Topics = topics;
        this.workDir = workDir;
        ManifestPath = topics.WriteManifest(workDir.FullName);
        // Compressed, as Elastic Agent's and Filebeat's Kafka outputs send by default (gzip): the embedded broker keeps at
        // most 5 MiB of record batches per partition and deletes the oldest beyond that, read or not. Uncompressed, the
        // 12-host end-to-end workload put ~6 MB of documents on one raw partition and the broker deleted its first ~370
        // before an ingest that joined its group late (a loaded machine) could read them.
        producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, EnableIdempotence = true, LingerMs = 5, CompressionType = CompressionType.Gzip }).Build();
    }

    public IKafkaBroker Broker { get; }

    public RedisServer Redis { get; }

    public TestTopics Topics { get; }

    public string ManifestPath { get; }

    public string RawTopic => Topics.Raw["elastic"];

    public string IngestGroup => Topics.Manifest.ConsumerGroup("ingest").Name;

    public static async Task<IngestStack> StartAsync(IKafkaBroker broker, RedisServer redis, string name)
    {
        var topics = new TestTopics(
            broker,
            name,
            telemetryPartitions: 6,
            [
                new ConsumerGroupDeclaration("vigil.ingest", "ingest", null, []),
                .. Analytics.Select(a => new ConsumerGroupDeclaration($"vigil.correlator.{a}", "correlator", a, [])),
            ],
            rawFormats: ["elastic"]);
        await topics.CreateAsync();
        return new IngestStack(broker, redis, topics, Directory.CreateTempSubdirectory("vigil-ingest-"));
    }

    private string[] Common =>
    [
        "--urls", "http://127.0.0.1:0",
        $"--Kafka:BootstrapServers={Broker.BootstrapServers}",
        $"--Kafka:TopicManifest={ManifestPath}",
        "--Kafka:Consumer:MaxBatchWait=00:00:00.020",
        "--Kafka:Consumer:SessionTimeoutMs=6000",
        "--Kafka:Consumer:CommitIntervalMs=300",
        "--Vigil:LogFormat=simple",
        "--Logging:LogLevel:Default=Warning",
    ];

    public async Task<WebApplication> StartIngestAsync(params string[] extra)
    {
        var app = IngestApp.Build([.. Common, .. extra]);
        await app.StartAsync();
        running.Add(app);
        return app;
    }

    public async Task StartCorrelatorsAsync()
    {
        foreach (var analytic in Analytics)
        {
            var app = CorrelatorApp.Build(
            [
                "--analytic", analytic,
                "--rules", Path.Combine(TestPaths.RepoRoot, "rules", analytic),
                .. Common,
                $"--Redis:Endpoints:0={Redis.Endpoint}",
                "--Correlator:QuietHostScanInterval=00:00:00.100",
            ]);
            await app.StartAsync();
            running.Add(app);
        }
    }

    /// <summary>Raw records as an agent's shipper writes them: the bytes as they are, keyed by host id when given.</summary>
    public async Task PublishRawAsync(IEnumerable<(string? Key, byte[] Value)> records)
    {
        var deliveries = records.Select(r => producer.ProduceAsync(RawTopic, new Message<byte[]?, byte[]?>
        {
            Key = r.Key is null ? null : Encoding.UTF8.GetBytes(r.Key),
            Value = r.Value,
        })).ToList();
        await Task.WhenAll(deliveries);
    }

    /// <summary>
    /// The raw topic's start offsets, which stay 0 unless the embedded broker deleted records to stay within its 5 MiB per
    /// partition: ingest can only publish what is still there when it reads.
    /// </summary>
    public IReadOnlyList<long> RawStartOffsets()
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = Broker.BootstrapServers, GroupId = $"starts-{Guid.NewGuid():N}" }).Build();
        var partitions = Topics.Manifest.Topics.Single(t => t.Name == RawTopic).Partitions;
        return Enumerable.Range(0, partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(RawTopic, p), TimeSpan.FromSeconds(10)).Low.Value)
            .ToList();
    }

    public List<TelemetryEvent> Telemetry(int expected, TimeSpan timeout)
    {
        var codec = new ProtobufRecordCodec<TelemetryEvent>(schemaId: null);
        return Topics.ReadAll(Topics.Telemetry, expected, timeout).Select(r => codec.Decode(r.Message.Value)).ToList();
    }

    public List<Alert> Alerts(int expected, TimeSpan timeout)
    {
        var codec = new ProtobufRecordCodec<Alert>(schemaId: null);
        return Topics.ReadAll(Topics.Alerts, expected, timeout).Select(r => codec.Decode(r.Message.Value)).ToList();
    }

    /// <summary>
    /// Every alert on the alert topic once it holds each of <paramref name="ids"/> (or the timeout passed). Waiting for
    /// a count instead would stop short whenever the streaming correlators raise an alert the expected set lacks (a
    /// host's events straddling the lateness window) before the last expected one.
    /// </summary>
    public List<Alert> AlertsIncluding(IReadOnlyCollection<string> ids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var wanted = ids.Count;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var alerts = Alerts(wanted, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (left <= TimeSpan.Zero || ids.All(id => alerts.Exists(a => a.Id == id)))
            {
                return alerts;
            }

            // One more alert than now: the read waits for the next one to arrive.
            wanted = alerts.Count + 1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in running)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        producer.Dispose();
        workDir.Delete(recursive: true);
    }
}
