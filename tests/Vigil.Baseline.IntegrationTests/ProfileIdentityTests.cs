using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Vigil.Baseline.Identity;
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
/// A profile records the identity of its image (fields <c>id</c> and <c>kind</c>) when it is made, and keeps the one it
/// has: another image whose tag collides, or a later update, never replaces it. The same over RESP2 and RESP3.
/// </summary>
public sealed class ProfileIdentityTests(RedisServer redis)
{
    // Beyond the stack's telemetry partitions: the services' own consume loops never assign or revoke it meanwhile.
    private const string Topic = "profile-identity";
    private const int Partition = 61;

    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private readonly BaselineTelemetry mac = new("mac-identity");
    private readonly Process agent = SyncAgent("agent-identity");

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AProfilesIdentityIsWrittenWhenTheProfileIsMadeAndNeverOverwritten(RedisProtocol protocol)
    {
        // A server of its own: the test counts the commands the baseline's update runs, which other tests would add to.
        await using var own = await RedisServer.StartAsync();
        await using var stack = new BaselineStack(own, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var records = Connections(20);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var image = NetworkObservation.From(records[0])!.Value.Image;
        var profile = HandedRecords.ProfileKey(stack, records[0]);

        await baseline.Handler.HandleAsync(records[..10], TestContext.Current.CancellationToken);
        Assert.Equal(image.Identity, (string?)await db.HashGetAsync(profile, ProfileFields.Identity));
        Assert.Equal(ProcessImage.KindText(image.Kind), (string?)await db.HashGetAsync(profile, ProfileFields.IdentityKind));

        await db.HashSetAsync(profile, [new HashEntry(ProfileFields.Identity, "written-by-someone-else"), new HashEntry(ProfileFields.IdentityKind, "other")]);
        await own.ResetCommandStatsAsync(TestContext.Current.CancellationToken);
        await baseline.Handler.HandleAsync(records[10..], TestContext.Current.CancellationToken);
        var calls = await own.CommandCallsAsync(TestContext.Current.CancellationToken);

        // The update wrote the profile (HSET, counted from inside its script) but not its identity: no HSETNX, which
        // would leave the fields as they are yet cost two commands on every update of every profile.
        Assert.True(calls.GetValueOrDefault("hset") > 0, $"the update ran no HSET: {string.Join(", ", calls)}");
        Assert.Equal(0, calls.GetValueOrDefault("hsetnx"));
        Assert.Equal("written-by-someone-else", (string?)await db.HashGetAsync(profile, ProfileFields.Identity));
        Assert.Equal("other", (string?)await db.HashGetAsync(profile, ProfileFields.IdentityKind));
        Assert.Equal(20, (await baseline.ProfileAsync("com.example.sync")).Observations);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AProfileWrittenByAReleaseBeforeTheVersionFieldWithoutItsIdentityGetsItOnItsNextUpdate(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var records = Connections(10);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var image = NetworkObservation.From(records[0])!.Value.Image;
        var profile = HandedRecords.ProfileKey(stack, records[0]);
        await db.HashSetAsync(profile, [new HashEntry(ProfileFields.Observations, 5), new HashEntry(ProfileFields.Connections, 5)]);
        await db.KeyExpireAsync(profile, Retention);

        await baseline.Handler.HandleAsync(records, TestContext.Current.CancellationToken);

        Assert.Equal(image.Identity, (string?)await db.HashGetAsync(profile, ProfileFields.Identity));
        Assert.Equal(ProcessImage.KindText(image.Kind), (string?)await db.HashGetAsync(profile, ProfileFields.IdentityKind));
        Assert.Equal(15, (long)await db.HashGetAsync(profile, ProfileFields.Observations));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AProfileWrittenByAReleaseBeforeTheVersionFieldKeepsTheIdentityItHas(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var baseline = await stack.StartBaselineAsync();
        var records = Connections(10);
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var db = connection.GetDatabase();
        var profile = HandedRecords.ProfileKey(stack, records[0]);
        await db.HashSetAsync(profile, [
            new HashEntry(ProfileFields.Identity, "written-by-an-older-release"), new HashEntry(ProfileFields.IdentityKind, "older"),
            new HashEntry(ProfileFields.Observations, 5), new HashEntry(ProfileFields.Connections, 5)]);
        await db.KeyExpireAsync(profile, Retention);

        await baseline.Handler.HandleAsync(records, TestContext.Current.CancellationToken);

        Assert.Equal("written-by-an-older-release", (string?)await db.HashGetAsync(profile, ProfileFields.Identity));
        Assert.Equal("older", (string?)await db.HashGetAsync(profile, ProfileFields.IdentityKind));
        Assert.Equal(15, (long)await db.HashGetAsync(profile, ProfileFields.Observations));
    }

    private List<ConsumedRecord<TelemetryEvent>> Connections(int count) =>
        HandedRecords.Records(Topic, Partition, Enumerable.Range(0, count).Select(i => mac.Connect(agent, Start + (i * Second))), 0);
}
