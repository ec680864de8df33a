using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Telemetry;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// Vigil's real Kafka transport wired against a test broker, with topic names unique to one test so
/// tests never see each other's records.
/// </summary>
internal sealed class KafkaTestPipeline : IAsyncDisposable
{
    public const int Partitions = 6;
    /// <summary>
    /// The telemetry contract's schema id without a registry: services' decoders accept only their contract's
    /// configured id, so records written under any other id would be rejected as unknown-schema-id.
    /// </summary>
    public static readonly int TestSchemaId = SchemaRegistryServiceCollectionExtensions.DefaultFixedSchemaIds[TelemetryEvent.Descriptor.FullName];

    private readonly List<IAsyncDisposable> running = [];

    /// <param name="consumer">Changes the test's consumer settings (batch sizes, commit interval) before they are used.</param>
    /// <param name="properties">librdkafka properties for every client of the pipeline (Kafka:Properties).</param>
    public KafkaTestPipeline(IKafkaBroker broker, string name, int partitions = Partitions, Action<KafkaConsumerSettings>? consumer = null, Dictionary<string, string>? properties = null)
    {
        Broker = broker;
        Topics = new TestTopics(broker, name, partitions);
        TelemetryTopic = Topics.Telemetry;
        DeadLetterTopic = Topics.DeadLetter;
        Group = Topics.Group;
        Manifest = Topics.Manifest;
        var options = new KafkaOptions
        {
            BootstrapServers = broker.BootstrapServers,
            ClientId = "vigil-test",
            Consumer = new KafkaConsumerSettings
            {
                MaxBatchSize = 50,
                MaxBatchWait = TimeSpan.FromMilliseconds(20),
                SessionTimeoutMs = 6000,
                RetryBackoff = TimeSpan.FromMilliseconds(50),
                MaxRetryBackoff = TimeSpan.FromMilliseconds(200),
                // Long enough that only the loop's own commits (revocation, shutdown) are observed.
                CommitIntervalMs = 600_000,
                StatisticsIntervalMs = 500,
                StallAfterFailures = 3,
                DeadLetterAttempts = 3,
            },
            // The test producer must be able to write poison pills larger than any topic's limit.
            Producer = new KafkaProducerSettings { MessageMaxBytes = 4_000_000, MessageTimeoutMs = 5000 },
            Properties = properties ?? [],
        };
        consumer?.Invoke(options.Consumer);
        Configs = new KafkaClientConfigFactory(Options.Create(options));
        Producer = new KafkaProducerHandle(Configs, Metrics, NullLogger<KafkaProducerHandle>.Instance);
        Codec = new ProtobufRecordCodec<TelemetryEvent>(TestSchemaId);
        Publisher = new KafkaTopicPublisher<TelemetryEvent>(Producer, Codec, TelemetryTopic);
    }

    public IKafkaBroker Broker { get; }

    public TestTopics Topics { get; }

    public string TelemetryTopic { get; }

    public string DeadLetterTopic { get; }

    public string Group { get; }

    public TopicManifest Manifest { get; }

    public KafkaClientConfigFactory Configs { get; }

    public KafkaProducerHandle Producer { get; }

    /// <summary>The Kafka metrics of this pipeline's producer, dead-letter publisher and consume loops, apart from other tests'.</summary>
    public KafkaMetrics Metrics { get; } = new(IsolatedMetrics.Factory());

    private KafkaProducerHandle? unreachable;

    public ProtobufRecordCodec<TelemetryEvent> Codec { get; }

    public KafkaTopicPublisher<TelemetryEvent> Publisher { get; }

    public Task CreateTopicsAsync() => Topics.CreateAsync();

    /// <summary>Writes the test manifest to a file, for child processes.</summary>
    public string WriteManifest(string directory) => Topics.WriteManifest(directory);

    /// <summary>Starts a consume loop as this test's group; disposed with the pipeline or by the caller.</summary>
    public async Task<RunningLoop> StartLoopAsync(
        IRecordBatchHandler<TelemetryEvent> handler,
        UndecodableRecords undecodable = UndecodableRecords.DeadLetter,
        DeadLetterPublisher? deadLetters = null,
        ILogger<KafkaConsumeLoop<TelemetryEvent>>? logger = null)
    {
        var health = new ConsumerLoopHealth();
        var loop = new KafkaConsumeLoop<TelemetryEvent>(
            new KafkaConsumerRegistration(Group, [TelemetryTopic], undecodable),
            Configs,
            Codec,
            handler,
            deadLetters ?? new DeadLetterPublisher(Producer, Manifest, Metrics, NullLogger<DeadLetterPublisher>.Instance),
            health,
            Metrics,
            logger ?? NullLogger<KafkaConsumeLoop<TelemetryEvent>>.Instance);
        await loop.StartAsync(CancellationToken.None);
        var handle = new RunningLoop(loop, health);
        running.Add(handle);
        return handle;
    }

    public static TelemetryEvent Event(string hostId, int n) => new()
    {
        Timestamp = 1_760_000_000_000_000_000L + (n * 1_000_000L),
        Event = new Event { Id = $"{hostId}-{n:D6}", Sequence = n, Category = { "process" }, Type = { "start" }, Action = "exec" },
        Host = new Host { Id = hostId, Name = hostId, Os = new Os { Type = "macos" } },
        Process = new Process { Name = "curl", Executable = "/usr/bin/curl", EntityId = $"{hostId}-p{n}" },
    };

    /// <summary>Publishes <paramref name="perHost"/> events for each of <paramref name="hosts"/> hosts, numbered from <paramref name="firstSequence"/>, and returns their ids.</summary>
    public async Task<IReadOnlyList<string>> PublishAsync(int hosts, int perHost, int firstSequence = 0)
    {
        var records = Enumerable.Range(0, hosts)
            .SelectMany(h => Enumerable.Range(firstSequence, perHost).Select(n => Event($"mac-{h:D4}", n)))
            .Select(e => KeyValuePair.Create(e.Host.Id, e))
            .ToList();
        await Publisher.PublishBatchAsync(records);
        return records.Select(r => r.Value.Event.Id).ToList();
    }

    /// <summary>Publishes raw bytes (e.g. garbage) with a key, bypassing the codec.</summary>
    public Task PublishRawAsync(string key, byte[] value) =>
        Producer.ProduceAsync(TelemetryTopic, new Message<byte[]?, byte[]?> { Key = System.Text.Encoding.UTF8.GetBytes(key), Value = value }, CancellationToken.None);

    /// <summary>Reads every record of a topic from the beginning with a throwaway group (no commits).</summary>
    public List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string topic, int expected, TimeSpan timeout) => Topics.ReadAll(topic, expected, timeout);

    /// <summary>Committed offsets of this test's group, per partition (-1001 when none).</summary>
    public IReadOnlyDictionary<int, long> CommittedOffsets() => Topics.CommittedOffsets(Group);

    /// <summary>End offsets per partition (records published so far).</summary>
    public IReadOnlyDictionary<int, long> EndOffsets() => Topics.EndOffsets();

    /// <summary>
    /// A dead-letter publisher whose producer reaches no broker (nothing listens on port 9 of loopback): every write
    /// times out after 2 s. Its producer is disposed with the pipeline.
    /// </summary>
    public DeadLetterPublisher RefusingDeadLetters()
    {
        unreachable ??= new KafkaProducerHandle(
            new KafkaClientConfigFactory(Options.Create(new KafkaOptions
            {
                BootstrapServers = "127.0.0.1:9",
                Producer = new KafkaProducerSettings { MessageTimeoutMs = 2000 },
            })),
            Metrics,
            NullLogger<KafkaProducerHandle>.Instance);
        return new DeadLetterPublisher(unreachable, Manifest, Metrics, NullLogger<DeadLetterPublisher>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var loop in running)
        {
            await loop.DisposeAsync();
        }

        Producer.Dispose();
        unreachable?.Dispose();
    }

    /// <summary>A started consume loop; stopping it is the orderly shutdown a SIGTERM causes.</summary>
    internal sealed class RunningLoop(KafkaConsumeLoop<TelemetryEvent> loop, ConsumerLoopHealth health) : IAsyncDisposable
    {
        private bool stopped;

        public ConsumerLoopHealth Health { get; } = health;

        /// <summary>What readiness would answer now.</summary>
        public bool Ready => Health.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext()).GetAwaiter().GetResult().Status
            == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy;

        public async Task StopAsync()
        {
            if (!stopped)
            {
                stopped = true;
                await loop.StopAsync(CancellationToken.None);
                loop.Dispose();
            }
        }

        public ValueTask DisposeAsync() => new(StopAsync());
    }
}
