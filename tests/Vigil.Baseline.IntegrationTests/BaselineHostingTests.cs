using System.Net;
using Vigil.Baseline.UnitTests;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>The baseline serves health and metrics over HTTP on --urls and its gRPC API on a port of its own.</summary>
public sealed class BaselineHostingTests(RedisServer redis)
{
    [Fact]
    public async Task HealthAndMetricsAnswerOnTheHttpPortAndGrpcOnItsOwnPort()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var mac = new BaselineTelemetry("mac-http");
        await stack.PublishAsync(mac.Exec(SyncAgent("agent-1"), Start), mac.FileOpen(SyncAgent("agent-1"), Start, "/Users/alice/notes.txt"));
        await stack.DrainAsync(baseline, mac.HostId);
        using var http = new HttpClient { BaseAddress = new Uri(baseline.HttpAddress) };

        var ready = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("vigil_baseline_observations_total{kind=\"connection\"}", metrics);
        Assert.Contains("vigil_baseline_redis_round_trips_total", metrics);
        Assert.Contains("vigil_baseline_chain_cache_entries", metrics);
        // Both rules' alert counters exist from start-up (at zero until a rule alerts), so dashboards read 0, not "no data".
        Assert.Contains("vigil_alerts_published_total{analytic=\"an1227\",rule=\"vigil-an1227-new-protocol\"", metrics);
        Assert.Contains("vigil_alerts_published_total{analytic=\"an1227\",rule=\"vigil-an1227-volume\"", metrics);
        Assert.NotEqual(new Uri(baseline.HttpAddress).Port, new Uri(baseline.GrpcAddress).Port);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode);
    }
}
