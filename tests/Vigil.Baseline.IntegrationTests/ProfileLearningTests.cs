using StackExchange.Redis;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Baseline;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>Learning, maturity and new-protocol detection through Kafka, Redis and the gRPC API.</summary>
public sealed class ProfileLearningTests(RedisServer redis)
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AProfileLearnsUntilItHasEnoughObservationsOverEnoughTimeThenMatures(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var mac = new BaselineTelemetry("mac-learn");
        var agent = SyncAgent("agent-1");
        var curl = Apple("curl-1", "curl", "/usr/bin/curl");

        // Enough observations, but all within one minute: still learning.
        await stack.PublishAsync(Enumerable.Range(0, 25).Select(i => mac.Connect(agent, Start + (i * Second))));
        // A long span, but too few observations: still learning.
        await stack.PublishAsync(mac.Connect(curl, Start - (40 * Minute)), mac.Connect(curl, Start - (10 * Minute)));
        await stack.DrainAsync(baseline, mac.HostId);

        var learning = await baseline.ProfileAsync("signing:TEAM123456/com.example.sync");
        Assert.Equal("learning", learning.Maturity);
        Assert.Equal(25, learning.Observations);
        Assert.Equal(0, learning.MaturedAt);
        Assert.Equal("learning", (await baseline.ProfileAsync("com.apple.curl")).Maturity);

        await stack.PublishAsync(mac.Connect(agent, Start + (6 * Minute)));
        var mature = await BaselineStack.ProfileEventuallyAsync(baseline, "com.example.sync", p => p.Observations == 26, "the last observation was learned");

        Assert.Equal("mature", mature.Maturity);
        Assert.Equal(Start + (6 * Minute), mature.MaturedAt);
        Assert.Equal("code-signing", mature.IdentityKind);
        Assert.Equal("tcp/https/well-known", Assert.Single(mature.Protocols).Signature);
        Assert.Equal(1, mature.DistinctHosts);

        var immature = await baseline.ListAsync(ProfileFilter.Immature);
        var matured = await baseline.ListAsync(ProfileFilter.Mature);
        var changed = await baseline.ListAsync(ProfileFilter.RecentlyChanged);
        Assert.Contains(immature, p => p.Image == "signing:com.apple.curl");
        Assert.DoesNotContain(immature, p => p.Image == "signing:TEAM123456/com.example.sync");
        Assert.Equal(["signing:TEAM123456/com.example.sync"], matured.Select(p => p.Image));
        Assert.Equal("signing:TEAM123456/com.example.sync", changed[0].Image);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ANeverSeenProtocolAlertsOnAMatureImageButIsLearnedByAnImmatureOne(RedisProtocol redisProtocol)
    {
        await using var stack = new BaselineStack(redis, protocol: redisProtocol);
        var baseline = await stack.StartBaselineAsync();
        var mac = new BaselineTelemetry("mac-proto");
        var agent = SyncAgent("agent-1");
        var tool = new Vigil.Contracts.Telemetry.Process { EntityId = "tool-1", Name = "tool", Executable = "/usr/local/bin/tool" };
        await stack.PublishAsync(NormalTraffic.Connections(mac, agent, 15, Start, 30 * Second, new Random(1)));
        await stack.PublishAsync(mac.Connect(tool, Start), mac.Connect(tool, Start + Minute));
        await stack.DrainAsync(baseline, mac.HostId);
        Assert.Equal("mature", (await baseline.ProfileAsync("com.example.sync")).Maturity);

        var agentFtp = mac.Connect(agent, Start + (10 * Minute), "ftp", 21, "198.51.100.7");
        var toolFtp = mac.Connect(tool, Start + (10 * Minute), "ftp", 21, "198.51.100.7");
        await stack.PublishAsync(agentFtp, toolFtp);
        await stack.DrainAsync(baseline, mac.HostId);

        var (key, alert) = Assert.Single(stack.Alerts.Received);
        Assert.Equal(mac.HostId, key);
        Assert.Equal("vigil-an1227-new-protocol", alert.Rule.Id);
        Assert.Equal("AN1227", alert.Rule.AnalyticId);
        Assert.Equal(agentFtp.Event.Id, Assert.Single(alert.Evidence).Event.Event.Id);
        Assert.Equal(Vigil.Detection.AlertFactory.AlertId("vigil-an1227-new-protocol", [agentFtp.Event.Id]), alert.Id);
        var protocol = Assert.Single(alert.Observations, o => o.Name == "network.protocol");
        Assert.Equal("tcp/ftp/well-known", protocol.Observed);
        Assert.Contains("tcp/https/well-known ×15", protocol.Expected);
        Assert.Contains("udp/dns/well-known ×15", protocol.Expected);

        // The alerting event did not teach the mature profile; the immature one learned its protocol.
        var agentProfile = await baseline.ProfileAsync("com.example.sync");
        Assert.DoesNotContain(agentProfile.Protocols, p => p.Protocol == "ftp");
        Assert.Equal(1, agentProfile.Alerts);
        var toolProfile = await baseline.ProfileAsync("/usr/local/bin/tool");
        Assert.Contains(toolProfile.Protocols, p => p.Signature == "tcp/ftp/well-known");

        var explained = await baseline.ExplainAsync(alert.Id);
        Assert.Equal("signing:TEAM123456/com.example.sync", explained.Explanation.Image);
        Assert.Equal([agentFtp.Event.Id], explained.Explanation.EvidenceEventIds);
        Assert.Contains(explained.Explanation.Observations, o => o.Name == "network.protocol" && o.Observed == "tcp/ftp/well-known");
        Assert.Equal("mature", explained.CurrentProfile.Maturity);
        var anomalous = await baseline.ListAsync(ProfileFilter.MostAnomalous);
        Assert.Equal("signing:TEAM123456/com.example.sync", anomalous[0].Image);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task TheHostViewShowsWhatAnImageDidOnOneHost(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var mac = new BaselineTelemetry("mac-view");
        var other = new BaselineTelemetry("mac-other");
        var agent = SyncAgent("agent-1");
        await stack.PublishAsync(NormalTraffic.Connections(mac, agent, 3, Start, 30 * Second, new Random(2)));
        await stack.PublishAsync(NormalTraffic.Connections(other, agent, 2, Start, 30 * Second, new Random(3)));
        await stack.DrainAsync(baseline, mac.HostId, other.HostId);

        var response = await baseline.GetProfileAsync("com.example.sync", mac.HostId);

        Assert.Equal(10, response.Profile.Observations);
        Assert.Equal(2, response.Profile.DistinctHosts);
        Assert.Equal(mac.HostId, response.HostView.HostId);
        Assert.Equal(6, response.HostView.Observations);
        Assert.Equal(["tcp/https/well-known", "udp/dns/well-known"], response.HostView.Protocols.Select(p => p.Signature).Order());
        Assert.Equal(5, response.HostView.RecentBucketsAnomalous.Count);
    }

    [Fact]
    public async Task AnUnknownImageIsNotFound()
    {
        await using var stack = new BaselineStack(redis);
        var baseline = await stack.StartBaselineAsync();

        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await baseline.GetProfileAsync("com.example.nothing"));

        Assert.Equal(Grpc.Core.StatusCode.NotFound, error.StatusCode);
    }
}
