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
/// has: another image whose tag collides, or a later update, never replaces it.
/// </summary>
public sealed class ProfileIdentityTests(RedisServer redis)
{
    // Beyond the stack's telemetry partitions: the services' own consume loops never assign or revoke it meanwhile.
    private const string Topic = "profile-identity";
    private const int Partition = 61;

    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private readonly BaselineTelemetry mac = new("mac-identity");
    private readonly Process agent = SyncAgent("agent-identity");

    [Fact]
    public async Task AProfilesIdentityIsWrittenWhenTheProfileIsMadeAndNeverOverwritten()
    {
        await using var stack = new BaselineStack(redis);
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
        await baseline.Handler.HandleAsync(records[10..], TestContext.Current.CancellationToken);

        Assert.Equal("written-by-someone-else", (string?)await db.HashGetAsync(profile, ProfileFields.Identity));
        Assert.Equal("other", (string?)await db.HashGetAsync(profile, ProfileFields.IdentityKind));
        Assert.Equal(20, (await baseline.ProfileAsync("com.example.sync")).Observations);
    }

    [Fact]
    public async Task AProfileWrittenByAReleaseBeforeTheVersionFieldWithoutItsIdentityGetsItOnItsNextUpdate()
    {
        await using var stack = new BaselineStack(redis);
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

    [Fact]
    public async Task AProfileWrittenByAReleaseBeforeTheVersionFieldKeepsTheIdentityItHas()
    {
        await using var stack = new BaselineStack(redis);
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
