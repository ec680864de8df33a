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
