using System.Diagnostics;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Telemetry;
using Vigil.Correlator;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Benchmarks;

/// <summary>
/// One correlator end to end: the simulated stream is published to the embedded broker first, then a
/// correlator (the real service, in process) consumes it with state in a real redis-server; measured
/// from its start until its group has committed the end of every partition.
/// </summary>
internal static partial class CorrelatorBenchmark
{
    public static async Task<BenchmarkResult> RunAsync(string analytic, string rulesFolder, IReadOnlyList<TelemetryEvent> events)
    {
        await using var broker = new EmbeddedKafkaBroker();
        await using var redis = await RedisServer.StartAsync();
        var topics = new TestTopics(broker, $"bench-{analytic}", telemetryPartitions: 12, [new ConsumerGroupDeclaration("vigil.correlator", "correlator", analytic, [])]);
        await topics.CreateAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-bench-");
        var manifest = topics.WriteManifest(workDir.FullName);
        await PublishAsync(broker, topics, events);

        var group = topics.Manifest.ConsumerGroup("correlator", analytic).Name;
        string[] args =
        [
            "--analytic", analytic, "--rules", rulesFolder, "--urls", "http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={broker.BootstrapServers}", $"--Kafka:TopicManifest={manifest}",
            "--Kafka:Consumer:CommitIntervalMs=200", $"--Redis:Endpoints:0={redis.Endpoint}",
            "--Logging:LogLevel:Default=Warning", "--Vigil:LogFormat=simple",
        ];
        var started = Stopwatch.GetTimestamp();
        await using var app = CorrelatorApp.Build(args);
        await app.StartAsync();
        await topics.WaitUntilCommittedAsync(group, TimeSpan.FromMinutes(10));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var stats = await redis.SendAsync(CancellationToken.None, "INFO", "commandstats");
        var commands = CommandCalls().Matches(stats).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        await app.StopAsync();
        workDir.Delete(recursive: true);

        var roundTrips = RoundTrips(analytic);
        return new BenchmarkResult(
            $"Correlator end to end ({analytic})",
            $"vigil-correlator --analytic {analytic} consuming {events.Count:N0} simulated events from the embedded broker (12 partitions), state in redis-server 127.0.0.1",
            events.Count,
            elapsed,
            [
                ("Redis round trips (pipelined batches)", $"{roundTrips:N0} = {roundTrips / events.Count:F4} per event"),
                ("Redis commands", $"{commands:N0} = {commands / (double)events.Count:F4} per event"),
                ("includes", "service start-up, group join and the final commit"),
            ]);
    }

    private static async Task PublishAsync(EmbeddedKafkaBroker broker, TestTopics topics, IReadOnlyList<TelemetryEvent> events)
    {
        using var producer = new KafkaProducerHandle(
            new KafkaClientConfigFactory(Options.Create(new KafkaOptions { BootstrapServers = broker.BootstrapServers })),
            NullLogger<KafkaProducerHandle>.Instance);
        var publisher = new KafkaTopicPublisher<TelemetryEvent>(producer, new ProtobufRecordCodec<TelemetryEvent>(1), topics.Telemetry);
        foreach (var chunk in events.Chunk(5000))
        {
            await publisher.PublishBatchAsync(chunk.Select(e => KeyValuePair.Create(e.Host.Id, e)).ToList());
        }
    }

    private static double RoundTrips(string analytic)
    {
        var family = Prometheus.Metrics.DefaultRegistry;
        using var stream = new MemoryStream();
        family.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var match = Regex.Match(text, $@"vigil_correlator_redis_round_trips_total\{{analytic=""{Regex.Escape(analytic)}""\}} ([0-9.e+]+)");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"cmdstat_\w+:calls=(\d+)")]
    private static partial Regex CommandCalls();
}
