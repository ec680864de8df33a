using Microsoft.Extensions.DependencyInjection;
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

/// <summary>
/// Profiles live <c>Retention</c> and host views and hosts' view indexes <c>HostStateRetention</c> past their last use,
/// and at most 1 % of it (never more than an hour) longer: a write refreshes an expiry only when its last refresh lies
/// that margin or more back (docs/operations.md). Tests set a key's remaining time by hand to stand for a refresh made
/// that long ago. The same over RESP2 and RESP3.
/// </summary>
public sealed class ExpiryRefreshTests(RedisServer redis)
{
    // Beyond the stack's telemetry partitions: the services' own consume loops never assign or revoke it meanwhile.
    private const string Topic = "expiry-refresh";
    private const int Partition = 60;

    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private static readonly TimeSpan RetentionMargin = TimeSpan.FromHours(1);

    // The stack's HostStateRetention (1 h), and its margin: 1 %.
    private static readonly TimeSpan ViewRetention = TimeSpan.FromHours(1);
    private static readonly TimeSpan ViewMargin = TimeSpan.FromSeconds(36);

    private readonly BaselineTelemetry mac = new("mac-expiry");
    private readonly Process agent = SyncAgent("agent-expiry");

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AProfileUpdatedAgainAndAgainExpiresNoEarlierThanTheRetentionAfterItsLastUpdateAndAtMostAnHourLater(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var records = Connections(30);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var keys = ImageKeys(stack, records[0]);

        await baseline.Handler.HandleAsync(records[..10], TestContext.Current.CancellationToken);
        foreach (var key in keys)
        {
            AssertWithin(await db.KeyTimeToLiveAsync(key), Retention, Retention + RetentionMargin, $"{key} once made");
        }

        // Last refreshed more than the margin ago (the keys would now expire a minute short of the retention from this
        // update): the update refreshes all three.
        foreach (var key in keys)
        {
            await db.KeyExpireAsync(key, Retention - TimeSpan.FromMinutes(1));
        }

        await baseline.Handler.HandleAsync(records[10..20], TestContext.Current.CancellationToken);
        foreach (var key in keys)
        {
            AssertWithin(await db.KeyTimeToLiveAsync(key), Retention + RetentionMargin - TimeSpan.FromSeconds(30), Retention + RetentionMargin, $"{key} refreshed");
        }

        // Last refreshed 50 minutes ago, within the margin: the keys still outlive the retention from this update, and
        // the update leaves their expiry alone.
        foreach (var key in keys)
        {
            await db.KeyExpireAsync(key, Retention + TimeSpan.FromMinutes(10));
        }

        await baseline.Handler.HandleAsync(records[20..], TestContext.Current.CancellationToken);
        foreach (var key in keys)
        {
            AssertWithin(await db.KeyTimeToLiveAsync(key), Retention, Retention + TimeSpan.FromMinutes(10), $"{key} left alone");
        }

        Assert.Equal(30, (await baseline.ProfileAsync("com.example.sync")).Observations);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AProfilesDestinationsMadeAfterTheProfileExpireWithIt(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var records = Connections(20);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var keys = ImageKeys(stack, records[0]);
        var (profile, destinations, hosts) = (keys[0], keys[1], keys[2]);

        await baseline.Handler.HandleAsync(records[..10], TestContext.Current.CancellationToken);

        // The destinations' HyperLogLog is gone (as if never made) while the profile's expiry was refreshed moments ago.
        await db.KeyDeleteAsync(destinations);
        await baseline.Handler.HandleAsync(records[10..], TestContext.Current.CancellationToken);

        var made = await db.KeyTimeToLiveAsync(destinations);
        Assert.NotNull(made);
        AssertWithin(made, Retention, Retention + RetentionMargin, "the destinations made again");
        var profileTtl = await db.KeyTimeToLiveAsync(profile);
        Assert.True(Math.Abs((made!.Value - profileTtl!.Value).TotalSeconds) < 30, $"destinations expire in {made}, the profile in {profileTtl}");
        Assert.NotNull(await db.KeyTimeToLiveAsync(hosts));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AHostViewAndItsHostIndexWrittenAgainWithinTheMarginKeepTheirExpiryAndStillOutliveTheRetention(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var records = Connections(20);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var (view, index) = ViewKeys(stack, records[0]);

        await baseline.Handler.HandleAsync(records[..10], TestContext.Current.CancellationToken);
        var viewTtl = await db.KeyTimeToLiveAsync(view);
        var indexTtl = await db.KeyTimeToLiveAsync(index);
        AssertWithin(viewTtl, ViewRetention, ViewRetention + ViewMargin, "the view once made");
        AssertWithin(indexTtl, ViewRetention, ViewRetention + ViewMargin, "the index once made");

        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        Assert.True(baseline.Store.Views.TryGet((HandedRecords.Tag(records[0]), mac.HostId), out _), "the view is held in memory");
        await baseline.Handler.HandleAsync(records[10..], TestContext.Current.CancellationToken);

        // Written (its observations), and its expiry not moved: it kept counting down.
        Assert.Equal(20, (await baseline.GetProfileAsync("com.example.sync", mac.HostId)).HostView.Observations);
        foreach (var (key, before) in new[] { (view, viewTtl!.Value), (index, indexTtl!.Value) })
        {
            var after = await db.KeyTimeToLiveAsync(key);
            AssertWithin(after, ViewRetention, before - TimeSpan.FromMilliseconds(400), $"{key} written again within the margin");
        }
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AHostViewAndItsHostIndexWrittenAgainAfterTheMarginHaveTheirExpiryRefreshed(RedisProtocol protocol)
    {
        // Two minutes' retention: a margin of 1.2 s (and the view stays in memory for a minute more than that: its
        // Redis copy's expiry less a minute).
        var retention = TimeSpan.FromMinutes(2);
        var margin = TimeSpan.FromSeconds(1.2);
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:HostStateRetention"] = "00:02:00" }, protocol);
        var baseline = await stack.StartBaselineAsync();
        var records = Connections(20);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var (view, index) = ViewKeys(stack, records[0]);

        await baseline.Handler.HandleAsync(records[..10], TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        // Both would now expire less than the retention from now; the write (of the view held in memory, which knows
        // when it last refreshed it) puts them back to at least the retention.
        Assert.True(await db.KeyTimeToLiveAsync(view) < retention);
        Assert.True(await db.KeyTimeToLiveAsync(index) < retention);
        Assert.True(baseline.Store.Views.TryGet((HandedRecords.Tag(records[0]), mac.HostId), out _), "the view is held in memory");
        await baseline.Handler.HandleAsync(records[10..], TestContext.Current.CancellationToken);

        Assert.Equal(20, (await baseline.GetProfileAsync("com.example.sync", mac.HostId)).HostView.Observations);
        AssertWithin(await db.KeyTimeToLiveAsync(view), retention, retention + margin, "the view written after the margin");
        AssertWithin(await db.KeyTimeToLiveAsync(index), retention, retention + margin, "the index written after the margin");
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AHostViewInRedisButNotInItsNewOwnersMemoryHasItsExpiryRefreshedByTheNewOwnersFirstWrite(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var records = Connections(20);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var (view, index) = ViewKeys(stack, records[0]);
        var before = await stack.StartBaselineAsync();
        await before.Handler.HandleAsync(records[..10], TestContext.Current.CancellationToken);
        await before.StopAsync();

        // Last refreshed by the previous owner well over the margin ago: both would expire ten minutes short of the
        // retention from the next write. The new owner (a restart here; a rebalance alike) holds nothing of the host.
        await db.KeyExpireAsync(view, ViewRetention - TimeSpan.FromMinutes(10));
        await db.KeyExpireAsync(index, ViewRetention - TimeSpan.FromMinutes(10));
        var after = await stack.StartBaselineAsync();
        Assert.False(after.Store.Views.TryGet((HandedRecords.Tag(records[0]), mac.HostId), out _), "the new owner holds the view in memory");

        await after.Handler.HandleAsync(records[10..], TestContext.Current.CancellationToken);

        Assert.Equal(20, (await after.GetProfileAsync("com.example.sync", mac.HostId)).HostView.Observations);
        AssertWithin(await db.KeyTimeToLiveAsync(view), ViewRetention, ViewRetention + ViewMargin, "the view on its new owner's first write");
        AssertWithin(await db.KeyTimeToLiveAsync(index), ViewRetention, ViewRetention + ViewMargin, "the index on its new owner's first write");
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AHostsViewIndexLostWhileItsViewsAreHeldInMemoryIsMadeAgainWithAnExpiry(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var records = Connections(20);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var (view, index) = ViewKeys(stack, records[0]);

        await baseline.Handler.HandleAsync(records[..10], TestContext.Current.CancellationToken);
        await db.KeyDeleteAsync(index);

        // The view was refreshed moments ago, so it is not due; the index made anew is.
        await baseline.Handler.HandleAsync(records[10..], TestContext.Current.CancellationToken);

        Assert.Equal(1, await db.SortedSetLengthAsync(index));
        AssertWithin(await db.KeyTimeToLiveAsync(index), ViewRetention, ViewRetention + ViewMargin, "the index made again");
        AssertWithin(await db.KeyTimeToLiveAsync(view), ViewRetention, ViewRetention + ViewMargin, "the view");
    }

    private static void AssertWithin(TimeSpan? ttl, TimeSpan low, TimeSpan high, string what)
    {
        Assert.True(ttl is { } t && t >= low && t <= high, $"{what}: expires in {ttl?.ToString() ?? "never"}, expected between {low} and {high}");
    }

    private List<ConsumedRecord<TelemetryEvent>> Connections(int count) =>
        Records(Enumerable.Range(0, count).Select(i => mac.Connect(agent, Start + (i * Second))), 0);

    private static List<ConsumedRecord<TelemetryEvent>> Records(IEnumerable<TelemetryEvent> events, long offset) =>
        HandedRecords.Records(Topic, Partition, events, offset);

    private static RedisKey[] ImageKeys(BaselineStack stack, ConsumedRecord<TelemetryEvent> record)
    {
        var keys = HandedRecords.Keys(stack);
        var tag = HandedRecords.Tag(record);
        return [keys.Profile(tag), keys.Destinations(tag), keys.Hosts(tag)];
    }

    private (RedisKey View, RedisKey Index) ViewKeys(BaselineStack stack, ConsumedRecord<TelemetryEvent> record)
    {
        var keys = HandedRecords.Keys(stack);
        return (keys.HostView(HandedRecords.Tag(record), mac.HostId), keys.HostViews(mac.HostId));
    }
}
