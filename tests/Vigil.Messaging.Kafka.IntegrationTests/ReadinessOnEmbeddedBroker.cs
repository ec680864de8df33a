using System.Diagnostics;
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
/// Readiness as an orchestrator sees it (GET /health/ready over HTTP) of a service hosted the way every Vigil
/// consumer is, with the shipped consumer settings: false within 30 s of each stall, and true again after it, for
/// every broker unreachable, a partition whose batch keeps failing, and an instance left without partitions while
/// its group has records waiting. Part of the fault suite (`make chaos`); figures go to the chaos report.
/// </summary>
public sealed class ReadinessOnEmbeddedBroker : IAsyncLifetime
{
    private static readonly TimeSpan StallBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task ReadinessIsFalseWithin30SecondsOfLosingEveryBrokerAndTrueAgainAfter()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        await using var pipeline = new KafkaTestPipeline(broker, "ready-broker");
        await pipeline.CreateTopicsAsync();
        var handler = new RecordingHandler();
        await using var service = await HostedService.StartAsync(broker, pipeline, handler);
        var published = await pipeline.PublishAsync(hosts: 4, perHost: 2);
        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Handled) && service.Ready(), Patience, "the service consumes and is ready");

        var down = Stopwatch.StartNew();
        broker.Cluster.SetBrokerDown(-1);
        TimeSpan unready;
        try
        {
            await Eventually.TrueAsync(() => !service.Ready(), Patience, "readiness turns false with every broker down");
            unready = down.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(ChaosRun.Full ? 30 : 5), TestContext.Current.CancellationToken);
            Assert.False(service.Ready(), "readiness stays false while the brokers are down");
        }
        finally
        {
            broker.Cluster.SetBrokerUp(-1);
        }

        var up = Stopwatch.StartNew();
        await Eventually.TrueAsync(service.Ready, Patience, "readiness turns true again once the brokers are back");
        var ready = up.Elapsed;
        var more = await pipeline.PublishAsync(hosts: 4, perHost: 2, firstSequence: 10);
        await Eventually.TrueAsync(() => more.ToHashSet().IsSubsetOf(handler.Handled), Patience, "the service consumes again");

        ChaosRun.Record($"readiness, every broker down: false {unready.TotalSeconds:0.0} s after, true {ready.TotalSeconds:0.0} s after they returned");
        Assert.True(unready <= StallBound, $"readiness turned false {unready.TotalSeconds:0.0} s after the brokers went down");
        Assert.True(ready <= StallBound, $"readiness turned true {ready.TotalSeconds:0.0} s after the brokers returned");
    }

    [Fact]
    public async Task ReadinessIsFalseWithin30SecondsOfAPartitionWhoseBatchKeepsFailingAndTrueAgainAfter()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        await using var pipeline = new KafkaTestPipeline(broker, "ready-stall");
        await pipeline.CreateTopicsAsync();
        var failing = 0;
        var firstFailure = 0L;
        // One partition's batches fail (its state store refuses them); the others are fine.
        var handler = new RecordingHandler(batch =>
        {
            if (Volatile.Read(ref failing) == 0 || !batch.Any(r => r.Partition == 0))
            {
                return false;
            }

            Interlocked.CompareExchange(ref firstFailure, Stopwatch.GetTimestamp(), 0);
            return true;
        });
        await using var service = await HostedService.StartAsync(broker, pipeline, handler);
        var warmup = await pipeline.PublishAsync(hosts: 12, perHost: 1);
        await Eventually.TrueAsync(() => warmup.ToHashSet().IsSubsetOf(handler.Handled) && service.Ready(), Patience, "the service consumes and is ready");

        Volatile.Write(ref failing, 1);
        var stuck = await pipeline.PublishAsync(hosts: 12, perHost: 2, firstSequence: 10);
        await Eventually.TrueAsync(() => Interlocked.Read(ref firstFailure) != 0 && !service.Ready(), Patience, "readiness turns false while a partition's batch keeps failing");
        var unready = Stopwatch.GetElapsedTime(Interlocked.Read(ref firstFailure));

        Volatile.Write(ref failing, 0);
        var cleared = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => stuck.ToHashSet().IsSubsetOf(handler.Handled), Patience, "the stuck batch is handled once the failure clears");
        await Eventually.TrueAsync(service.Ready, Patience, "readiness turns true again");
        var ready = cleared.Elapsed;

        ChaosRun.Record($"readiness, a partition's batch failing: false {unready.TotalSeconds:0.0} s after its first failure, true {ready.TotalSeconds:0.0} s after the failure cleared");
        Assert.True(unready <= StallBound, $"readiness turned false {unready.TotalSeconds:0.0} s after the first failure");
        Assert.True(ready <= StallBound, $"readiness turned true {ready.TotalSeconds:0.0} s after the failure cleared");
    }

    [Fact]
    public async Task AnInstanceHoldingNoPartitionsWhileItsGroupLagsIsUnreadyWithin30SecondsAndReadyAgainAfter()
    {
        Assert.SkipUnless(ChaosRun.Enabled, ChaosRun.SkipReason);
        // One partition, two instances: the second holds nothing.
        await using var pipeline = new KafkaTestPipeline(broker, "ready-idle", partitions: 1);
        await pipeline.CreateTopicsAsync();
        using var gate = new ManualResetEventSlim(initialState: true);
        var owner = new RecordingHandler(_ =>
        {
            // The owner is stuck (a slow dependency): it handles nothing while the gate is closed.
            gate.Wait(TestContext.Current.CancellationToken);
            return false;
        });
        await using var first = await HostedService.StartAsync(broker, pipeline, owner);
        var warmup = await pipeline.PublishAsync(hosts: 2, perHost: 1);
        await Eventually.TrueAsync(() => warmup.ToHashSet().IsSubsetOf(owner.Handled), Patience, "the first instance consumes");
        var idle = new RecordingHandler();
        var joined = Stopwatch.StartNew();
        await using var second = await HostedService.StartAsync(broker, pipeline, idle);
        await Eventually.TrueAsync(() => idle.Callbacks.Any(c => c.StartsWith("assigned", StringComparison.Ordinal)) || owner.Callbacks.Count(c => c.StartsWith("assigned", StringComparison.Ordinal)) > 1, Patience, "the second instance joined the group");
        Assert.True(second.Ready(), "an instance without partitions is ready while its group keeps up");

        gate.Reset();
        var waiting = await pipeline.PublishAsync(hosts: 2, perHost: 5, firstSequence: 10);
        var lagging = Stopwatch.StartNew();
        var idleBefore = joined.Elapsed;
        await Eventually.TrueAsync(() => !second.Ready(), Patience, "the instance without partitions turns unready while the group has records waiting");
        var unready = lagging.Elapsed;
        Assert.True(first.Ready(), "the stuck owner is not stalled: nothing failed");

        gate.Set();
        var cleared = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => waiting.ToHashSet().IsSubsetOf(owner.Handled), Patience, "the owner catches up");
        await Eventually.TrueAsync(second.Ready, Patience, "the instance without partitions is ready again once nothing waits");
        var ready = cleared.Elapsed;

        ChaosRun.Record($"readiness, an instance without partitions while its group lags: false {unready.TotalSeconds:0.0} s after the lag began (after {idleBefore.TotalSeconds:0.0} s without partitions), true {ready.TotalSeconds:0.0} s after the owner caught up");
        Assert.True(unready <= StallBound, $"readiness turned false {unready.TotalSeconds:0.0} s after the lag began");
        Assert.True(ready <= StallBound, $"readiness turned true {ready.TotalSeconds:0.0} s after the owner caught up");
    }

    /// <summary>A consuming service wired as every Vigil service is, with the shipped consumer settings, on a loopback port.</summary>
    private sealed class HostedService : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly HttpClient http;
        private readonly DirectoryInfo workDir;

        private HostedService(WebApplication app, DirectoryInfo workDir)
        {
            this.app = app;
            this.workDir = workDir;
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
        }

        public static async Task<HostedService> StartAsync(EmbeddedKafkaBroker broker, KafkaTestPipeline pipeline, RecordingHandler handler)
        {
            var workDir = Directory.CreateTempSubdirectory("vigil-ready-");
            var builder = WebApplication.CreateBuilder();
            builder.AddServiceDefaults(
            [
                "--urls=http://127.0.0.1:0",
                $"--Kafka:BootstrapServers={broker.BootstrapServers}",
                $"--Kafka:TopicManifest={pipeline.WriteManifest(workDir.FullName)}",
                "--Kafka:Consumer:GroupInstanceId={host}-" + Guid.NewGuid().ToString("N")[..8],
            ]);
            builder.Services.AddVigilKafka(builder.Configuration);
            builder.Services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
            builder.Services.AddSingleton(handler);
            builder.Services.AddKafkaConsumer<TelemetryEvent, RecordingHandler>("telemetry-tail");
            var app = builder.Build();
            app.MapServiceDefaults();
            await app.StartAsync(TestContext.Current.CancellationToken);
            return new HostedService(app, workDir);
        }

        public bool Ready()
        {
            try
            {
                using var response = http.GetAsync("/health/ready").GetAwaiter().GetResult();
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            workDir.Delete(recursive: true);
        }
    }
}
