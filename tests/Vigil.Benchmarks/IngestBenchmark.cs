using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Vigil.Adapters;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;
using Vigil.Ingest;
using Vigil.Messaging;
using Vigil.Testing;

namespace Vigil.Benchmarks;

/// <summary>
/// vigil-ingest end to end: simulated events written as Elastic Agent Kafka output documents are published to a raw
/// topic first; then, in the same run, a bare consumer reads them all (the consume-only figure: what the broker and
/// client alone allow), and the real ingest service (in process) adapts them and publishes canonical events, measured
/// from its start until its group has committed the end of every raw partition.
/// </summary>
internal static class IngestBenchmark
{
    /// <summary>The embedded broker keeps about 5 MiB per partition: documents beyond what fits would be dropped.</summary>
    public const int MaxDocuments = 60_000;

    /// <summary>Elastic documents are about 2 KB: 48 partitions keep 60,000 of them near half the mock broker's 5 MiB per partition.</summary>
    private const int RawPartitions = 48;

    public static async Task<IReadOnlyList<BenchmarkResult>> RunAsync(IReadOnlyList<TelemetryEvent> events)
    {
        var documents = events.Take(MaxDocuments).Select(e => (e.Host.Id, Bytes: ElasticDocumentWriter.ToBytes(e))).ToList();
        var bytes = documents.Sum(d => (long)d.Bytes.Length);
        await using var broker = new EmbeddedKafkaBroker();
        var topics = new TestTopics(broker, "bench-ingest", telemetryPartitions: 12, [new ConsumerGroupDeclaration("vigil.ingest", "ingest", null, [])], ["elastic"], RawPartitions);
        await topics.CreateAsync();
        var raw = topics.Raw["elastic"];
        var workDir = Directory.CreateTempSubdirectory("vigil-bench-");
        var manifest = topics.WriteManifest(workDir.FullName);
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 5 }).Build())
        {
            foreach (var (key, value) in documents)
            {
                producer.Produce(raw, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value });
            }

            producer.Flush(TimeSpan.FromMinutes(2));
        }

        var adaptOnly = AdaptInProcess(documents.Select(d => d.Bytes).ToList());
        var consumeOnly = ConsumeOnly(broker, topics, raw, documents.Count);

        var group = topics.Manifest.ConsumerGroup("ingest").Name;
        string[] args =
        [
            "--urls", "http://127.0.0.1:0", $"--Kafka:BootstrapServers={broker.BootstrapServers}", $"--Kafka:TopicManifest={manifest}",
            "--Kafka:Consumer:CommitIntervalMs=200", "--Logging:LogLevel:Default=Warning", "--Vigil:LogFormat=simple",
        ];
        var started = Stopwatch.GetTimestamp();
        await using var app = IngestApp.Build(args);
        await app.StartAsync();
        await topics.WaitUntilCommittedAsync(group, TimeSpan.FromMinutes(10), raw);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var published = topics.EndOffsets().Values.Sum();
        await app.StopAsync();
        workDir.Delete(recursive: true);

        var workload = $"{documents.Count:N0} Elastic Agent Kafka output documents ({bytes / (double)documents.Count:N0} bytes each on average) from fleet-sim on a raw topic of {RawPartitions} partitions";
        return
        [
            new BenchmarkResult(
                "Ingest end to end (elastic)",
                $"vigil-ingest reading {workload}, publishing canonical TelemetryEvents to the telemetry topic (12 partitions)",
                documents.Count,
                elapsed,
                [
                    ("canonical events published", $"{published:N0}"),
                    ("consume-only, same topic and run (a bare consumer, no adapting or publishing)", $"{documents.Count / consumeOnly.TotalSeconds:N0} documents/s ({consumeOnly.TotalSeconds:F2} s)"),
                    ("adapting only, in process (no Kafka)", $"{documents.Count / adaptOnly.TotalSeconds:N0} documents/s ({adaptOnly.TotalSeconds:F2} s)"),
                    ("includes", "service start-up, group join and the final commit"),
                ],
                "documents"),
        ];
    }

    private static TimeSpan AdaptInProcess(IReadOnlyList<byte[]> documents)
    {
        var adapter = new ElasticAdapter();
        var started = Stopwatch.GetTimestamp();
        var events = 0;
        foreach (var document in documents)
        {
            events += adapter.Adapt(new RawRecord(document, null, "bench")).Events.Count;
        }

        return events == documents.Count ? Stopwatch.GetElapsedTime(started) : throw new InvalidOperationException($"only {events} of {documents.Count} documents adapted");
    }

    private static TimeSpan ConsumeOnly(EmbeddedKafkaBroker broker, TestTopics topics, string raw, int expected)
    {
        var started = Stopwatch.GetTimestamp();
        var read = topics.ReadAll(raw, expected, TimeSpan.FromMinutes(2)).Count;
        var elapsed = Stopwatch.GetElapsedTime(started);
        _ = broker;
        return read == expected ? elapsed : throw new InvalidOperationException($"read {read} of {expected} raw records");
    }
}
