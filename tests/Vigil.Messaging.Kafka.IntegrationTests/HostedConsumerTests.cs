using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Contracts.Telemetry;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// A service wired the way every Vigil service is (service defaults, Kafka transport from
/// configuration, codec, consumer from the manifest) answers its health and metrics endpoints.
/// </summary>
public sealed class HostedConsumerTests : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task AConsumingServiceReportsReadinessAndConsumerMetricsOverHttp()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "hosted");
        await pipeline.CreateTopicsAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-hosted-");
        var manifest = pipeline.WriteManifest(workDir.FullName);
        var handler = new RecordingHandler();

        var builder = WebApplication.CreateBuilder();
        builder.AddServiceDefaults(
        [
            "--urls=http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Kafka:TopicManifest={manifest}",
            "--Kafka:Consumer:MaxBatchWait=00:00:00.020",
        ]);
        builder.Services.AddVigilKafka(builder.Configuration);
        builder.Services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        builder.Services.AddSingleton(handler);
        builder.Services.AddKafkaConsumer<TelemetryEvent, RecordingHandler>("telemetry-tail");
        await using var app = builder.Build();
        app.MapServiceDefaults();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        var published = await pipeline.PublishAsync(hosts: 10, perHost: 10);
        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Handled), TimeSpan.FromSeconds(60), "the hosted consumer handles every record");

        var live = await http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        var ready = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains($"vigil_records_consumed_total{{topic=\"{pipeline.TelemetryTopic}\",group=\"{pipeline.Group}\"}} 100", metrics);
        Assert.Contains("vigil_handler_batch_duration_seconds_bucket", metrics);
        Assert.Contains($"vigil_consumer_lag{{group=\"{pipeline.Group}\",topic=\"{pipeline.TelemetryTopic}\"", metrics);

        await app.StopAsync(TestContext.Current.CancellationToken);
        var afterStop = await ReadinessAfterStop(app);
        Assert.Contains("Stopped", afterStop);
        workDir.Delete(recursive: true);
    }

    [Fact]
    public async Task AProducerOnlyServiceIsReadyWithoutAnyConsumeLoop()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "producer-only");
        await pipeline.CreateTopicsAsync();
        var workDir = Directory.CreateTempSubdirectory("vigil-producer-only-");
        var manifest = pipeline.WriteManifest(workDir.FullName);

        var builder = WebApplication.CreateBuilder();
        builder.AddServiceDefaults(
        [
            "--urls=http://127.0.0.1:0",
            $"--Kafka:BootstrapServers={broker.BootstrapServers}",
            $"--Kafka:TopicManifest={manifest}",
        ]);
        builder.Services.AddVigilKafka(builder.Configuration);
        builder.Services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        builder.Services.AddTopicPublisher<TelemetryEvent>(TopicRole.Telemetry);
        await using var app = builder.Build();
        app.MapServiceDefaults();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        var ready = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        await app.StopAsync(TestContext.Current.CancellationToken);
        workDir.Delete(recursive: true);
    }

    private static async Task<string> ReadinessAfterStop(WebApplication app)
    {
        var check = app.Services.GetRequiredService<ConsumerLoopHealth>();
        var result = await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        return result.Description ?? string.Empty;
    }
}
