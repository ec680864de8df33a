using StackExchange.Redis;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Baseline;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>On a Redis Cluster an image's keys share one slot, so its update script runs; listings span slots.</summary>
public sealed class ClusterTests(RedisClusterServer cluster) : IClassFixture<RedisClusterServer>
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ProfilesLearnAlertAndListOnARedisCluster(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(cluster, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var hosts = Enumerable.Range(0, 6).Select(i => new BaselineTelemetry($"mac-cluster-{i}")).ToList();
        var agent = SyncAgent("agent-1");
        foreach (var mac in hosts)
        {
            await stack.PublishAsync(NormalTraffic.Connections(mac, agent, 4, Start, 2 * Minute, new Random(6)));
        }

        await stack.DrainAsync(baseline, [.. hosts.Select(h => h.HostId)]);
        Assert.Equal("mature", (await baseline.ProfileAsync("com.example.sync")).Maturity);

        var ftp = hosts[2].Connect(agent, Start + (20 * Minute), "ftp", 21, "198.51.100.7");
        await stack.PublishAsync(ftp);
        await stack.DrainAsync(baseline, hosts[2].HostId);

        var alert = Assert.Single(stack.Alerts.Alerts);
        Assert.Equal(ftp.Event.Id, Assert.Single(alert.Evidence).Event.Event.Id);
        var profile = await baseline.ProfileAsync("com.example.sync");
        Assert.Equal(6 * 4 * 2, profile.Observations);
        Assert.Equal(6, profile.DistinctHosts);
        Assert.Contains(await baseline.ListAsync(ProfileFilter.MostAnomalous), p => p.Image == "signing:TEAM123456/com.example.sync");
        Assert.Equal(hosts[2].HostId, (await baseline.ExplainAsync(alert.Id)).Explanation.HostId);
    }
}
