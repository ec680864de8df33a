using Vigil.Baseline.UnitTests;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>Volume far outside an image's learned spread alerts only when it persists; ordinary variance never does.</summary>
public sealed class VolumeAnomalyTests(RedisServer redis)
{
    // Buckets are 10 s in these tests; training puts one connection in each of 40 buckets spread over two hosts.
    private const long Bucket = 10 * Second;

    [Fact]
    public async Task AVolumeAnomalyAlertsOnlyOnceItPersistsForKOfNBuckets()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var (mac, agent) = await TrainAsync(stack, baseline);
        var later = Start + (60 * Minute);

        // Typical ~2 KB sent per bucket, spread floored at σ 0.5: 80 KB is ~7σ out, anomalous but not extreme (8σ).
        var spike = mac.Disconnect(agent, later, 80_000, 20_000);
        await stack.PublishAsync(spike, mac.Disconnect(agent, later + Bucket, 2_100, 20_000));
        await stack.DrainAsync(baseline, mac.HostId);
        Assert.Empty(stack.Alerts.Alerts);

        var second = mac.Disconnect(agent, later + (2 * Bucket), 80_000, 20_000);
        var third = mac.Disconnect(agent, later + (3 * Bucket), 80_000, 20_000);
        await stack.PublishAsync(second, third);
        await stack.DrainAsync(baseline, mac.HostId);

        var alert = Assert.Single(stack.Alerts.Alerts);
        Assert.Equal("vigil-an1227-volume", alert.Rule.Id);
        Assert.Equal("3 of the last 5", Assert.Single(alert.Observations, o => o.Name == "anomalous buckets").Observed);
        var perBucket = Assert.Single(alert.Observations, o => o.Name == "bytes sent per 10 s bucket");
        Assert.Equal("80000", perBucket.Observed);
        Assert.StartsWith("typical 2", perBucket.Expected);
        Assert.Equal([spike.Event.Id, second.Event.Id, third.Event.Id], (await baseline.ExplainAsync(alert.Id)).Explanation.EvidenceEventIds);
        Assert.Equal(Vigil.Detection.AlertFactory.AlertId("vigil-an1227-volume", [spike.Event.Id, second.Event.Id, third.Event.Id]), alert.Id);

        // The episode is reported once: a fourth anomalous bucket inside the window does not alert again.
        await stack.PublishAsync(mac.Disconnect(agent, later + (4 * Bucket), 80_000, 20_000));
        await stack.DrainAsync(baseline, mac.HostId);
        Assert.Single(stack.Alerts.Alerts);

        // Anomalous buckets and connections did not widen the learned spread.
        var profile = await baseline.ProfileAsync("com.example.sync");
        Assert.True(profile.SentPerBucket.AnomalyThresholdBytes < 80_000, $"threshold {profile.SentPerBucket.AnomalyThresholdBytes}");

        // A volume alert names no protocol, so it cannot be accepted as one.
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await baseline.Client.AcceptProtocolAsync(
            new Vigil.Contracts.Baseline.AcceptProtocolRequest { AlertId = alert.Id, Reason = "backup window" }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, refused.StatusCode);
    }

    [Fact]
    public async Task OrdinaryVarianceOfAMatureImageNeverAlerts()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var (mac, agent) = await TrainAsync(stack, baseline, sigma: 0.8);
        var others = Enumerable.Range(0, 4).Select(i => new BaselineTelemetry($"mac-normal-{i}")).ToList();

        var random = new Random(7);
        await stack.PublishAsync(NormalTraffic.Connections(mac, agent, 150, Start + (60 * Minute), Bucket, random, sigma: 0.8));
        foreach (var other in others)
        {
            await stack.PublishAsync(NormalTraffic.Connections(other, agent, 100, Start + (60 * Minute), Bucket / 2, random, sigma: 0.8));
        }

        await stack.DrainAsync(baseline, [mac.HostId, .. others.Select(o => o.HostId)]);

        Assert.Empty(stack.Alerts.Alerts);
        var profile = await baseline.ProfileAsync("com.example.sync");
        Assert.Equal("mature", profile.Maturity);
        Assert.Equal(42 + 150 + 400, profile.Connections);
    }

    [Fact]
    public async Task AVolumeFarBeyondAnyBenignSpreadAlertsInASingleBucket()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();
        var (mac, agent) = await TrainAsync(stack, baseline);

        var upload = mac.Disconnect(agent, Start + (60 * Minute), 45_000_000, 9_000);
        await stack.PublishAsync(upload);
        await stack.DrainAsync(baseline, mac.HostId);

        var alert = Assert.Single(stack.Alerts.Alerts);
        Assert.Equal("vigil-an1227-volume", alert.Rule.Id);
        Assert.Equal(upload.Event.Id, Assert.Single(alert.Evidence).Event.Event.Id);
        Assert.Contains("σ above its baseline in one bucket", alert.Reason);
    }

    /// <summary>A mature profile whose per-bucket statistics have 40 samples: 20 buckets on each of two hosts.</summary>
    private static async Task<(BaselineTelemetry Mac, Vigil.Contracts.Telemetry.Process Agent)> TrainAsync(BaselineStack stack, BaselineInstance baseline, double sigma = 0.3)
    {
        var mac = new BaselineTelemetry("mac-volume");
        var peer = new BaselineTelemetry("mac-peer");
        var agent = SyncAgent("agent-1");
        var random = new Random(5);

        // 21 connections per host, one per bucket: the last bucket of each host stays open, so 20 per host are learned.
        await stack.PublishAsync(NormalTraffic.Connections(mac, agent, 21, Start, Bucket, random, sigma: sigma));
        await stack.PublishAsync(NormalTraffic.Connections(peer, agent, 21, Start, Bucket, random, sigma: sigma));
        await stack.PublishAsync(mac.Connect(agent, Start + (10 * Minute)));
        await stack.DrainAsync(baseline, mac.HostId, peer.HostId);
        var profile = await baseline.ProfileAsync("com.example.sync");
        Assert.Equal("mature", profile.Maturity);
        Assert.Equal(40, profile.SentPerBucket.Samples);
        return (mac, agent);
    }
}
