using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// A consumer with the selective decoder gets events holding only the selected fields; the events its handler completes
/// stay whole after the consume loop released their batches and reused the rest for later records.
/// </summary>
public sealed class SelectiveDecodingConsumerTests : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task EventsAHandlerCompletesStayWholeAcrossBatchesWhileTheOthersArriveWithTheSelectedFieldsOnly()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "selective");
        await pipeline.CreateTopicsAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-selective-");
        var manifest = pipeline.WriteManifest(workDir.FullName);
        var handler = new CompletingHandler();

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(
        [
            $"--Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Kafka:TopicManifest={manifest}",
            "--Kafka:Consumer:MaxBatchWait=00:00:00.020",
            "--Kafka:Consumer:MaxBatchSize=50",
            "--Kafka:Consumer:MaxBacklogBatchSize=50",
        ]);
        builder.Services.AddVigilKafka(builder.Configuration);
        builder.Services.AddSelectiveTelemetryCodec(builder.Configuration, _ => FieldSelection.Of(TelemetryEvent.Descriptor, ["event.id", "host.id"]));
        builder.Services.AddSingleton(handler);
        builder.Services.AddKafkaConsumer<TelemetryEvent, CompletingHandler>("telemetry-tail");
        using var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);

        var published = await pipeline.PublishAsync(hosts: 20, perHost: 30);
        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Seen.Keys), TimeSpan.FromSeconds(60), "every record is handled");
        await app.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(handler.Batches > 5, $"{handler.Batches} batches: too few to see reuse across batches");
        Assert.All(handler.Seen, seen => Assert.True(seen.Value.WasPartial && seen.Value.ProcessNameBeforeCompleting.Length == 0, $"{seen.Key} arrived with unselected fields"));
        Assert.NotEmpty(handler.Kept);
        foreach (var kept in handler.Kept)
        {
            var parts = kept.Event.Id.Split('-');
            Assert.Equal(KafkaTestPipeline.Event($"{parts[0]}-{parts[1]}", int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)), kept);
        }

        // Detached, not completed: each keeps the id and host it arrived with, many batches later, and completes to its record.
        Assert.NotEmpty(handler.Detached);
        foreach (var (id, hostId, detached) in handler.Detached)
        {
            Assert.True(detached.IsPartial);
            Assert.Equal(id, detached.Event.Id);
            Assert.Equal(hostId, detached.Host.Id);
            detached.Complete();
            var parts = id.Split('-');
            Assert.Equal(KafkaTestPipeline.Event($"{parts[0]}-{parts[1]}", int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)), detached);
        }

        workDir.Delete(recursive: true);
    }

    [Fact]
    public async Task ASlowHandlerStillReadsTheFieldsItsRecordsWereProducedWithWhileTheLoopDecodesTheNextBatchesMeanwhile()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "selective-slow");
        await pipeline.CreateTopicsAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-selective-slow-");
        var manifest = pipeline.WriteManifest(workDir.FullName);
        var handler = new SlowRereadingHandler(TimeSpan.FromMilliseconds(100));

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(
        [
            $"--Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Kafka:TopicManifest={manifest}",
            "--Kafka:Consumer:MaxBatchWait=00:00:00.020",
            "--Kafka:Consumer:MaxBatchSize=50",
            "--Kafka:Consumer:MaxBacklogBatchSize=200",
        ]);
        builder.Services.AddVigilKafka(builder.Configuration);
        builder.Services.AddSelectiveTelemetryCodec(builder.Configuration, _ => FieldSelection.Of(TelemetryEvent.Descriptor, SlowRereadingHandler.Fields));
        builder.Services.AddSingleton(handler);
        builder.Services.AddKafkaConsumer<TelemetryEvent, SlowRereadingHandler>("telemetry-tail");
        using var app = builder.Build();
        await app.StartAsync(TestContext.Current.CancellationToken);

        var published = new List<string>();
        for (var wave = 0; wave < 3; wave++)
        {
            published.AddRange(await pipeline.PublishAsync(hosts: 20, perHost: 20, firstSequence: wave * 20));
        }

        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Seen.Keys), TimeSpan.FromSeconds(90), "every record is handled");
        await app.StopAsync(TestContext.Current.CancellationToken);

        // Batches over MaxBatchSize grew only while the handler was busy: the loop decoded them (into the other
        // generation) while the handler still held, and re-read, the previous batch.
        Assert.True(handler.BatchSizes.Count > 3, $"{handler.BatchSizes.Count} batches: too few to overlap");
        Assert.True(handler.BatchSizes.Max() > 50, $"largest batch {handler.BatchSizes.Max()}: the loop did not gather beside the busy handler");
        Assert.Empty(handler.Mismatches);
        workDir.Delete(recursive: true);
    }

    /// <summary>
    /// Reads each event's selected fields on arrival, waits (as a slow handler would, while the loop decodes the next
    /// batches), then reads them again and compares both with what was produced for that record.
    /// </summary>
    private sealed class SlowRereadingHandler(TimeSpan delay) : IRecordBatchHandler<TelemetryEvent>
    {
        public static readonly string[] Fields = ["timestamp", "event.id", "event.sequence", "event.category", "host.id", "process.entity_id", "process.executable"];

        public ConcurrentDictionary<string, bool> Seen { get; } = new();

        public ConcurrentQueue<int> BatchSizes { get; } = new();

        public ConcurrentQueue<string> Mismatches { get; } = new();

        public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            BatchSizes.Enqueue(batch.Count);
            var onArrival = batch.Select(r => Read(r.Value)).ToArray();
            await Task.Delay(delay, cancellationToken);
            for (var i = 0; i < batch.Count; i++)
            {
                var record = batch[i];
                var now = Read(record.Value);
                var id = onArrival[i].EventId;
                var cut = id.LastIndexOf('-');
                var produced = KafkaTestPipeline.Event(id[..cut], int.Parse(id[(cut + 1)..], System.Globalization.CultureInfo.InvariantCulture));
                var expected = Read(produced);
                if (now != onArrival[i] || now != expected || record.Key != produced.Host.Id)
                {
                    Mismatches.Enqueue($"{id} (key {record.Key}): on arrival {onArrival[i]}, after {delay.TotalMilliseconds} ms {now}, produced {expected}");
                }

                Seen[id] = true;
            }
        }

        private static Snapshot Read(TelemetryEvent e) => new(
            e.Timestamp,
            e.Event.Id,
            e.Event.Sequence,
            string.Join(",", e.Event.Category),
            e.Host.Id,
            e.Process.EntityId,
            e.Process.Executable);

        private readonly record struct Snapshot(long Timestamp, string EventId, long Sequence, string Category, string HostId, string EntityId, string Executable);
    }

    /// <summary>Notes what each event held on arrival, completes (and keeps) every third one and detaches (and keeps) some others.</summary>
    private sealed class CompletingHandler : IRecordBatchHandler<TelemetryEvent>
    {
        public ConcurrentDictionary<string, (bool WasPartial, string ProcessNameBeforeCompleting)> Seen { get; } = new();

        public ConcurrentBag<TelemetryEvent> Kept { get; } = [];

        public ConcurrentBag<(string Id, string HostId, TelemetryEvent Event)> Detached { get; } = [];

        public int Batches;

        public Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Batches);
            foreach (var record in batch)
            {
                var e = record.Value;
                Seen[e.Event.Id] = (e.IsPartial, e.Process?.Name ?? string.Empty);
                if (e.Event.Id.GetHashCode(StringComparison.Ordinal) % 3 == 0)
                {
                    e.Complete();
                    Kept.Add(e);
                }
                else if (e.Event.Id.GetHashCode(StringComparison.Ordinal) % 5 == 0)
                {
                    e.Detach();
                    Detached.Add((e.Event.Id, e.Host.Id, e));
                }
            }

            return Task.CompletedTask;
        }
    }
}
