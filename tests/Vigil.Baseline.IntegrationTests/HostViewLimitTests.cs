using StackExchange.Redis;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>A host running ever more distinct images keeps a bounded number of host views in Redis.</summary>
public sealed class HostViewLimitTests(RedisServer redis)
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AHostUsingMoreImagesThanTheCapLosesItsLeastRecentlyUsedViewsCountedAndLoggedOnce(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:MaxHostViewsPerHost"] = "10" }, protocol);
        var baseline = await stack.StartBaselineAsync();
        var flood = new BaselineTelemetry("mac-flood");
        var quiet = new BaselineTelemetry("mac-quiet");
        var store = (BaselineStore)baseline.Services.GetService(typeof(BaselineStore))!;

        // 40 generated executables on one host, a few at a time so the cap is crossed more than once.
        for (var round = 0; round < 4; round++)
        {
            await stack.PublishAsync(Enumerable.Range(round * 10, 10).Select(i =>
                flood.Connect(Apple($"gen-{i}", $"gen{i}", $"/tmp/gen{i}"), Start + (i * Second))));
            await stack.DrainAsync(baseline, flood.HostId);
        }

        await stack.PublishAsync(quiet.Connect(Apple("curl-q", "curl", "/usr/bin/curl"), Start));
        await stack.DrainAsync(baseline, quiet.HostId);

        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var keys = new BaselineKeys(new RedisKeys(stack.KeyPrefix));
        var views = Enumerable.Range(0, 40).Where(i => db.KeyExists(keys.HostView(new Identity.ProcessImage($"signing:com.apple.gen{i}", Identity.ProcessImageIdentityKind.CodeSigning).Tag, flood.HostId))).ToList();

        Assert.InRange(views.Count, 1, 10);
        Assert.Contains(39, views); // the most recently used survives
        Assert.DoesNotContain(0, views);
        Assert.InRange(await db.SortedSetLengthAsync(keys.HostViews(flood.HostId)), 1, 10);
        Assert.True(store.HostViewsEvicted >= 30, $"evicted {store.HostViewsEvicted}");
        Assert.Single(baseline.Log, l => l.Contains("over Baseline:MaxHostViewsPerHost", StringComparison.Ordinal));
        Assert.True(db.KeyExists(keys.HostView(new Identity.ProcessImage("signing:com.apple.curl", Identity.ProcessImageIdentityKind.CodeSigning).Tag, quiet.HostId)));
    }

    [Fact]
    public async Task InABatchOfMoreHostsThanOneIndexCallTakesOnlyTheHostsOverTheCapLoseViews()
    {
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:MaxHostViewsPerHost"] = "10" });
        var baseline = await stack.StartBaselineAsync();
        var store = (BaselineStore)baseline.Services.GetService(typeof(BaselineStore))!;

        // 150 hosts (more than one index call's 128): every fifth runs 14 images, the rest 3; published before the
        // baseline drains, so the hosts share batches and each index size must come back to its own host.
        var hosts = Enumerable.Range(0, 150).Select(h => new BaselineTelemetry($"mac-many-{h:D3}")).ToList();
        int ImagesOf(int host) => host % 5 == 0 ? 14 : 3;
        await stack.PublishAsync(hosts.SelectMany((host, h) => Enumerable.Range(0, ImagesOf(h)).Select(i =>
            host.Connect(Apple($"img-{h}-{i}", $"img{i}", $"/opt/img{i}"), Start + (i * Second)))));
        await stack.DrainAsync(baseline, hosts.Select(host => host.HostId).ToArray());

        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var keys = new BaselineKeys(new RedisKeys(stack.KeyPrefix));
        // A host under the cap keeps every view its three images made (all such hosts alike); one over it is cut back to the cap.
        var underCap = await db.SortedSetLengthAsync(keys.HostViews(hosts[1].HostId));
        Assert.InRange(underCap, 3, 10);
        for (var h = 0; h < hosts.Count; h++)
        {
            var indexed = await db.SortedSetLengthAsync(keys.HostViews(hosts[h].HostId));
            if (ImagesOf(h) > 10)
            {
                Assert.True(indexed is >= 1 and <= 10, $"host {h} keeps {indexed} views with a cap of 10");
            }
            else
            {
                Assert.True(indexed == underCap, $"host {h} under the cap has {indexed} views, other such hosts {underCap}");
            }
        }

        Assert.True(store.HostViewsEvicted >= 30 * 4, $"evicted {store.HostViewsEvicted}");
    }

    [Fact]
    public async Task AHostAtItsViewCapThatKeepsUsingTheSameImagesLosesNoViewUntilItUsesANewOne()
    {
        // A server of its own: the test counts the commands the baseline runs, which other tests would add to.
        await using var own = await RedisServer.StartAsync();
        await using var stack = new BaselineStack(own, new Dictionary<string, string> { ["Baseline:MaxHostViewsPerHost"] = "10" });
        var baseline = await stack.StartBaselineAsync();
        var store = (BaselineStore)baseline.Services.GetService(typeof(BaselineStore))!;
        var handler = (BaselineHandler)baseline.Services.GetService(typeof(BaselineHandler))!;
        var mac = new BaselineTelemetry("mac-at-cap");
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var index = new BaselineKeys(new RedisKeys(stack.KeyPrefix)).HostViews(mac.HostId);
        var tools = Batches.Tools("capped", 11);
        var offset = 0L;

        // Ten images, used three times over: at the cap, never over it. The index is counted (ZCARD) when a view is
        // added to it, in the first round; the later rounds add none and their views' expiries were refreshed moments
        // ago, so the index is not counted at all.
        for (var round = 0; round < 3; round++)
        {
            var batch = Records(tools[..10].Select(tool => mac.Connect(tool, Start + (round * Second))), offset);
            offset += batch.Count;
            await own.ResetCommandStatsAsync(TestContext.Current.CancellationToken);
            await handler.HandleAsync(batch, TestContext.Current.CancellationToken);
            var calls = await own.CommandCallsAsync(TestContext.Current.CancellationToken);
            Assert.True(calls.GetValueOrDefault("zadd") > 0, $"round {round} ran no ZADD: {string.Join(", ", calls)}");
            Assert.True(calls.GetValueOrDefault("zcard") == (round == 0 ? 1 : 0), $"round {round} ran ZCARD {calls.GetValueOrDefault("zcard")} times");
            Assert.Equal(10, await db.SortedSetLengthAsync(index));
            Assert.Equal(0, store.HostViewsEvicted);
        }

        // An eleventh, added to the index: counted, over the cap, the least recently used go down to 90 % of it.
        var eleventh = Records([mac.Connect(tools[10], Start + (3 * Second))], offset);
        await own.ResetCommandStatsAsync(TestContext.Current.CancellationToken);
        await handler.HandleAsync(eleventh, TestContext.Current.CancellationToken);
        Assert.Equal(1, (await own.CommandCallsAsync(TestContext.Current.CancellationToken)).GetValueOrDefault("zcard"));

        Assert.Equal(9, await db.SortedSetLengthAsync(index));
        Assert.Equal(2, store.HostViewsEvicted);
        Assert.NotNull(await db.SortedSetScoreAsync(index, HandedRecords.Tag(eleventh[0])));
    }

    private static List<ConsumedRecord<TelemetryEvent>> Records(IEnumerable<TelemetryEvent> events, long offset) =>
        HandedRecords.Records("view-cap", 70, events, offset);
}
