using System.Text.Json;
using Confluent.Kafka;
using Vigil.Messaging;

namespace Vigil.Testing;

/// <summary>
/// A topic manifest with names unique to one test (so tests never see each other's records), created
/// on a test broker and written to a file for services started by the test.
/// </summary>
public sealed class TestTopics
{
    /// <summary>
    /// Extra groups (e.g. a service's) get this test's suffix; those declared without topics read the telemetry topic, or the
    /// raw topics for the ingest service. <paramref name="rawFormats"/> declares one raw topic per source format.
    /// </summary>
    public TestTopics(IKafkaBroker broker, string name, int telemetryPartitions = 6, IEnumerable<ConsumerGroupDeclaration>? extraGroups = null, IEnumerable<string>? rawFormats = null, int rawPartitions = 4)
    {
        Broker = broker;
        var suffix = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 13, 40)];
        Telemetry = $"t.{suffix}";
        Alerts = $"a.{suffix}";
        DeadLetter = $"dlq.{suffix}";
        Group = $"g.{suffix}";
        Raw = (rawFormats ?? []).ToDictionary(f => f, f => $"raw-{f}.{suffix}", StringComparer.Ordinal);
        string[] rawTopics = [.. Raw.Values];
        Manifest = new TopicManifest(
            [
                .. Raw.Select(r => new TopicDeclaration(TopicRole.Raw, r.Value, rawPartitions, 1, "host.id", "raw " + r.Key, new Dictionary<string, string>(), r.Key)),
                new TopicDeclaration(TopicRole.Telemetry, Telemetry, telemetryPartitions, 1, "host.id", "vigil.telemetry.v1.TelemetryEvent", new Dictionary<string, string>()),
                new TopicDeclaration(TopicRole.Alerts, Alerts, 4, 1, "host.id", "vigil.alerts.v1.Alert", new Dictionary<string, string>()),
                new TopicDeclaration(TopicRole.DeadLetter, DeadLetter, 2, 1, "original key", "original bytes", new Dictionary<string, string>()),
            ],
            [new ConsumerGroupDeclaration(Group, "telemetry-tail", null, [Telemetry]), .. (extraGroups ?? []).Select(g => g with { Name = $"{g.Name}.{suffix}", Topics = g.Topics.Count > 0 ? g.Topics : g.Service == "ingest" ? rawTopics : [Telemetry] })]);
    }

    public IKafkaBroker Broker { get; }

    public string Telemetry { get; }

    public string Alerts { get; }

    public string DeadLetter { get; }

    /// <summary>Raw topic per source format (empty unless the test declared raw formats).</summary>
    public IReadOnlyDictionary<string, string> Raw { get; }

    /// <summary>The group declared for the telemetry tail; services declared through extra groups get the same suffix.</summary>
    public string Group { get; }

    public TopicManifest Manifest { get; }

    public async Task CreateAsync()
    {
        foreach (var topic in Manifest.Topics)
        {
            await Broker.CreateTopicAsync(topic.Name, topic.Partitions);
        }
    }

    /// <summary>Writes the manifest as deploy/topics.json would be written, for processes started by the test.</summary>
    public string WriteManifest(string directory)
    {
        var path = Path.Combine(directory, "topics.json");
        var json = JsonSerializer.Serialize(new
        {
            topics = Manifest.Topics.Select(t => new
            {
                role = t.Role switch { TopicRole.Telemetry => "telemetry", TopicRole.Alerts => "alerts", TopicRole.Raw => "raw", _ => "dead-letter" },
                name = t.Name,
                partitions = t.Partitions,
                replicationFactor = t.ReplicationFactor,
                key = t.Key,
                valueMessage = t.ValueMessage,
                config = t.Config,
                format = t.Format,
            }),
            consumerGroups = Manifest.ConsumerGroups.Select(g => new { name = g.Name, service = g.Service, analytic = g.Analytic, topics = g.Topics }),
        });
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>Committed offsets of <paramref name="group"/> on the telemetry topic (or <paramref name="topic"/>), per partition (-1001 when none).</summary>
    public IReadOnlyDictionary<int, long> CommittedOffsets(string group, string? topic = null)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = Broker.BootstrapServers, GroupId = group }).Build();
        var committed = consumer.Committed(PartitionsOf(topic ?? Telemetry), TimeSpan.FromSeconds(10));
        return committed.ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }

    /// <summary>End offsets of the telemetry topic (or <paramref name="topic"/>) per partition (records published so far).</summary>
    public IReadOnlyDictionary<int, long> EndOffsets(string? topic = null)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = Broker.BootstrapServers, GroupId = $"w-{Guid.NewGuid():N}" }).Build();
        return Ends(consumer, PartitionsOf(topic ?? Telemetry)).ToDictionary(e => e.Key.Partition.Value, e => e.Value);
    }

    /// <summary>
    /// Waits until <paramref name="group"/> has committed every telemetry record published so far: a service that
    /// stores offsets only after handling has then handled them all, so what it did not do by now it will not do.
    /// </summary>
    public async Task WaitUntilCommittedAsync(string group, TimeSpan timeout, string? topic = null)
    {
        var end = EndOffsets(topic);
        await Eventually.TrueAsync(
            // A partition nothing was published to has no committed offset (-1001) and nothing to commit.
            () => CommittedOffsets(group, topic).All(c => Math.Max(0, c.Value) >= end[c.Key]),
            timeout,
            $"group {group} commits every record of {topic ?? Telemetry} ({end.Values.Sum()})");
    }

    private List<TopicPartition> PartitionsOf(string topic) =>
        Enumerable.Range(0, Manifest.Topics.Single(t => t.Name == topic).Partitions).Select(p => new TopicPartition(topic, p)).ToList();

    private static Dictionary<TopicPartition, long> Ends(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<TopicPartition> partitions) =>
        partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);

    /// <summary>
    /// Every record of one of this test's topics, once at least <paramref name="expected"/> exist (or the timeout
    /// passed): waits on the partitions' end offsets, then reads each partition from its start to that end. No group
    /// joins, so what exists is read at once, and an absence check sees everything that was acknowledged.
    /// </summary>
    public List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string topic, int expected, TimeSpan timeout)
    {
        var partitions = PartitionsOf(topic);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = Broker.BootstrapServers,
            GroupId = $"reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<TopicPartition, long> ends;
        while (true)
        {
            ends = Ends(consumer, partitions);
            if (ends.Values.Sum() >= expected || DateTime.UtcNow > deadline)
            {
                break;
            }

            Thread.Sleep(100);
        }

        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        var remaining = ends.Where(e => e.Value > 0).Select(e => e.Key).ToHashSet();
        consumer.Assign(remaining.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
        var readDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (remaining.Count > 0)
        {
            if (DateTime.UtcNow > readDeadline)
            {
                throw new TimeoutException($"Reading {topic} stopped short of its end offsets on partitions {string.Join(", ", remaining.Select(p => p.Partition.Value))}.");
            }

            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is not { IsPartitionEOF: false } record)
            {
                continue;
            }

            records.Add(record);
            if (record.Offset.Value + 1 >= ends[record.TopicPartition])
            {
                remaining.Remove(record.TopicPartition);
            }
        }

        return records;
    }
}
