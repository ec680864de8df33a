using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.Testing;

namespace Vigil.Cli.IntegrationTests;

/// <summary>`vigil alerts tail` without --group: every tail reads every partition and prints each alert once.</summary>
public sealed class AlertsTailCommandTests : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task TwoTailsWithoutAGroupEachPrintEveryAlertExactlyOnce()
    {
        var topics = new TestTopics(broker, "tail");
        await topics.CreateAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-alerts-tail-");
        var manifest = topics.WriteManifest(workDir.FullName);
        // Alerts are framed with the fixed schema id 2, as vigil-correlator writes them without a registry.
        var ids = Enumerable.Range(0, 24).Select(i => $"alert-{i:D2}").ToArray();
        using (var producer = new KafkaProducerHandle(
            new KafkaClientConfigFactory(Options.Create(new KafkaOptions { BootstrapServers = broker.BootstrapServers, ClientId = "tail-test" })),
            new KafkaMetrics(IsolatedMetrics.Factory()),
            NullLogger<KafkaProducerHandle>.Instance))
        {
            var publisher = new KafkaTopicPublisher<Alert>(producer, new ProtobufRecordCodec<Alert>(2), topics.Alerts);
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            {
                await publisher.PublishAsync($"host-{i}", new Alert { Id = id, Host = new Host { Id = $"host-{i}" } }, TestContext.Current.CancellationToken);
            }
        }

        string[] arguments = ["alerts", "tail", "--bootstrap", broker.BootstrapServers, "--format", "ids", "--from-beginning", $"--Kafka:TopicManifest={manifest}"];
        await using var first = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Cli", "vigil"), arguments);
        await using var second = ServiceProcess.Start(TestPaths.ServiceAssembly("Vigil.Cli", "vigil"), arguments);
        await Eventually.TrueAsync(() => first.Lines.Count >= ids.Length && second.Lines.Count >= ids.Length, TimeSpan.FromSeconds(90), "both tails print every alert");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        Assert.Equal(ids, first.Lines.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(ids, second.Lines.Order(StringComparer.Ordinal).ToArray());
        workDir.Delete(recursive: true);
    }
}
