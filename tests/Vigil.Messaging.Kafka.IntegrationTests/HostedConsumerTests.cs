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
            "--Kafka:Consumer:StatisticsIntervalMs=500",
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

        // Before anything arrives, every metric the docs name for the group is there, at zero.
        await Eventually.TrueAsync(() => handler.Callbacks.Any(c => c.StartsWith("assigned", StringComparison.Ordinal)), TimeSpan.FromSeconds(60), "the consumer is assigned");
        var atStart = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains($"vigil_records_consumed_total{{topic=\"{pipeline.TelemetryTopic}\",group=\"{pipeline.Group}\"}} 0", atStart);
        Assert.Contains($"vigil_handler_failures_total{{group=\"{pipeline.Group}\"}} 0", atStart);
        Assert.Contains($"vigil_dead_letter_failures_total{{group=\"{pipeline.Group}\"}} 0", atStart);
        Assert.Contains($"vigil_consumer_stalled{{group=\"{pipeline.Group}\"}} 0", atStart);
        Assert.Contains($"vigil_consumer_rebalances_total{{group=\"{pipeline.Group}\",kind=\"lost\"}} 0", atStart);

        var published = await pipeline.PublishAsync(hosts: 10, perHost: 10);
        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Handled), TimeSpan.FromSeconds(60), "the hosted consumer handles every record");

        var live = await http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        var ready = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        // Lag comes from librdkafka's statistics: the handled offsets against the high watermarks, 0 once all is handled.
        var metrics = string.Empty;
        var nonZeroLag = new System.Text.RegularExpressions.Regex($"vigil_consumer_lag\\{{group=\"{System.Text.RegularExpressions.Regex.Escape(pipeline.Group)}\",[^}}]*\\}} [1-9]");
        await Eventually.TrueAsync(
            () =>
            {
                metrics = http.GetStringAsync("/metrics", TestContext.Current.CancellationToken).GetAwaiter().GetResult();
                return metrics.Contains($"vigil_consumer_lag{{group=\"{pipeline.Group}\",topic=\"{pipeline.TelemetryTopic}\"", StringComparison.Ordinal) && !nonZeroLag.IsMatch(metrics);
            },
            TimeSpan.FromSeconds(30),
            "the statistics report lag per partition, 0 once everything is handled");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains($"vigil_records_consumed_total{{topic=\"{pipeline.TelemetryTopic}\",group=\"{pipeline.Group}\"}} 100", metrics);
        Assert.Contains("vigil_handler_batch_duration_seconds_bucket", metrics);

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
