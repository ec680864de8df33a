using StackExchange.Redis;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Storage;
using Vigil.Baseline.UnitTests;
using Vigil.Redis;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>A profile evicted from Redis while the memory marker survives is reported, not silently relearned.</summary>
public sealed class ProfileEvictionTests(RedisServer redis)
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AProfileThatVanishesWhileTheMarkerSurvivesIsReportedOnceAndLearnsAgainFromImmature(RedisProtocol protocol)
    {
        // Retention long enough that the test's fixed event times count as recent.
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:Retention"] = "3650.00:00:00" }, protocol);
        var baseline = await stack.StartBaselineAsync();
        var mac = new BaselineTelemetry("mac-evict");
        var agent = SyncAgent("agent-1");
        await stack.PublishAsync(Enumerable.Range(0, 5).Select(i => mac.Connect(agent, Start + (i * Second))));
        await stack.DrainAsync(baseline, mac.HostId);
        var store = (BaselineStore)baseline.Services.GetService(typeof(BaselineStore))!;
        Assert.Equal(0, store.ProfilesEvicted);

        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var keys = new BaselineKeys(new RedisKeys(stack.KeyPrefix));
        Assert.True(await connection.GetDatabase().KeyDeleteAsync(keys.Profile(new ProcessImage("signing:TEAM123456/com.example.sync", ProcessImageIdentityKind.CodeSigning).Tag)));
        await stack.PublishAsync(mac.Connect(agent, Start + (10 * Second)), mac.Connect(agent, Start + (11 * Second)));
        await stack.DrainAsync(baseline, mac.HostId);
        await stack.PublishAsync(mac.Connect(agent, Start + (12 * Second)));
        await stack.DrainAsync(baseline, mac.HostId);

        Assert.Equal(1, store.ProfilesEvicted);
        Assert.Single(baseline.Log, l => l.Contains("VANISHED from Redis", StringComparison.Ordinal));
        var relearned = await BaselineStack.ProfileEventuallyAsync(baseline, "com.example.sync", p => p.Observations == 3, "the profile learns again from what came after");
        Assert.Equal("learning", relearned.Maturity);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AProfileThatVanishesAndWhoseImageIsNeverSeenAgainIsReportedWithinSeconds(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, new Dictionary<string, string>
        {
            ["Baseline:Retention"] = "3650.00:00:00",
            ["Baseline:MemoryCheckInterval"] = "00:00:01",
        }, protocol);
        var baseline = await stack.StartBaselineAsync();
        var mac = new BaselineTelemetry("mac-gone");
        await stack.PublishAsync(Enumerable.Range(0, 3).Select(i => mac.Connect(SyncAgent("agent-1"), Start + (i * Second))));
        await stack.DrainAsync(baseline, mac.HostId);
        var store = (BaselineStore)baseline.Services.GetService(typeof(BaselineStore))!;

        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var keys = new BaselineKeys(new RedisKeys(stack.KeyPrefix));
        Assert.True(await connection.GetDatabase().KeyDeleteAsync(keys.Profile(new ProcessImage("signing:TEAM123456/com.example.sync", ProcessImageIdentityKind.CodeSigning).Tag)));

        // No event of the image follows: the periodic sweep of the listing index finds the hole.
        await Eventually.TrueAsync(() => store.ProfilesEvicted == 1, TimeSpan.FromSeconds(15), "the vanished profile was reported without its image returning");
        Assert.Single(baseline.Log, l => l.Contains("VANISHED from Redis", StringComparison.Ordinal));
        await Task.Delay(2500, TestContext.Current.CancellationToken);
        Assert.Equal(1, store.ProfilesEvicted);
    }
}
