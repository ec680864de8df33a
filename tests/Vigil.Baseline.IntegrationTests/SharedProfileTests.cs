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
/// A profile is shared by every baseline instance (each owns other partitions, so other hosts) and by analysts. Each
/// instance keeps the profiles it touches in memory between batches, with their version, and every batch checks that
/// version against Redis: an instance holding a copy evaluates exactly what Redis holds, and its copy, advanced by its
/// own writes, equals the profile read whole.
/// </summary>
public sealed class SharedProfileTests(RedisServer redis)
{
    // Beyond the stack's telemetry partitions: the services' own consume loops never assign or revoke them meanwhile.
    private const string Topic = "shared-profiles";
    private static readonly ProcessImage Sync = new("signing:TEAM123456/com.example.sync", ProcessImageIdentityKind.CodeSigning);

    private readonly Contracts.Telemetry.Process agent = SyncAgent("agent-1");

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ABaselineHoldingAnImmatureProfileAlertsOnceAnotherBaselineHasMaturedIt(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, protocol: protocol);
        var first = await stack.StartBaselineAsync();
        var second = await stack.StartBaselineAsync();
        var a = new BaselineTelemetry("mac-shared-a");
        var b = new BaselineTelemetry("mac-shared-b");

        // The first instance learns a little from its host and holds the (immature) profile: a profile it just made
        // is read whole once more by its next batch, which then keeps it.
        await Handle(first, a, 50, 0, [.. Enumerable.Range(0, 3).Select(i => a.Connect(agent, Start + (i * 10 * Second)))]);
        await Handle(first, a, 50, 3, [.. Enumerable.Range(3, 2).Select(i => a.Connect(agent, Start + (i * 10 * Second)))]);
        Assert.True(Store(first).Profiles.TryGet(Sync.Tag, out var held, out _));
        Assert.False(held.IsMature(Options(first)));

        // The second instance's host matures it: 30 observations over 10 minutes.
        await Handle(second, b, 51, 0, [.. Enumerable.Range(0, 30).Select(i => b.Connect(agent, Start + (i * 20 * Second)))]);

        // The first instance's host now uses QUIC: against the profile as Redis holds it (mature), that alerts and
        // is not learned; against the copy it held (immature) it would have been learned silently.
        await Handle(first, a, 50, 5, [a.Connect(agent, Start + (11 * Minute), "quic", 443, "198.51.100.9")]);
        var profile = await ReadWholeAsync(stack);
        Assert.True(profile.IsMature(Options(first)));
        Assert.Equal(1, profile.Alerts);
        Assert.DoesNotContain(profile.Protocols.Keys, p => p.Contains("quic", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task HeldProfilesEqualTheProfileReadWholeAfterEveryBatchOfTwoBaselines(RedisProtocol redisProtocol)
    {
        // A small protocol cap, so the cap and the overflow are exercised as well as learning, maturity and volumes.
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:MaxProtocolsPerImage"] = "3" }, redisProtocol);
        var instances = new[] { await stack.StartBaselineAsync(), await stack.StartBaselineAsync() };
        var hosts = new[] { new BaselineTelemetry("mac-held-a"), new BaselineTelemetry("mac-held-b") };
        var offsets = new long[2];
        var clocks = new[] { Start, Start };
        var random = new Random(1227);
        (string Protocol, long Port, string Transport)[] protocols = [("https", 443, "tcp"), ("http", 80, "tcp"), ("ssh", 22, "tcp"), ("quic", 443, "udp"), ("dns", 53, "udp")];

        // Runs of batches by one instance, then the other: within a run the copy advances by its own writes, across
        // runs it must notice the other's.
        var turn = 0;
        for (var batch = 0; batch < 40; batch++)
        {
            turn = random.Next(3) == 0 ? 1 - turn : turn;
            var host = hosts[turn];
            var events = new List<TelemetryEvent>();
            for (var i = 0; i < random.Next(1, 12); i++)
            {
                clocks[turn] += random.Next(1, 30) * Second;
                var (protocol, port, transport) = protocols[random.Next(batch < 10 ? 2 : protocols.Length)];
                events.Add(random.Next(3) == 0
                    ? host.Disconnect(agent, clocks[turn], random.Next(100, 5_000_000), random.Next(100, 50_000_000), protocol, port)
                    : host.Connect(agent, clocks[turn], protocol, port, transport: transport));
            }

            await Handle(instances[turn], host, 50 + turn, offsets[turn], events);
            offsets[turn] += events.Count;

            var whole = await ReadWholeAsync(stack);
            if (batch == 0)
            {
                // Just made: held from the next batch's read on.
                continue;
            }

            Assert.True(Store(instances[turn]).Profiles.TryGet(Sync.Tag, out var held, out var version), $"batch {batch}: no copy held");
            Assert.Equal(await VersionAsync(stack), version);
            AssertSame(whole, held, $"batch {batch}");
        }

        Assert.True((await ReadWholeAsync(stack)).IsMature(Options(instances[0])));
        Assert.Equal(0, instances.Sum(i => i.Services.GetRequiredService<BaselineMetrics>().WriteConflicts.Value));
    }

    private static void AssertSame(ProfileSnapshot expected, ProfileSnapshot actual, string when)
    {
        // Everything but the dictionaries compares by value (the statistics' doubles exactly).
        var scalars = expected with { Protocols = actual.Protocols, Acceptances = actual.Acceptances };
        Assert.True(scalars == actual, $"{when}: held {actual}, Redis has {expected}");
        Assert.Equal(expected.Protocols.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Protocols.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Empty(actual.Acceptances);
    }

    private static async Task Handle(BaselineInstance instance, BaselineTelemetry host, int partition, long offset, IReadOnlyList<TelemetryEvent> events)
    {
        var records = events.Select((e, i) => new ConsumedRecord<TelemetryEvent>(Topic, partition, offset + i, host.HostId, DateTimeOffset.UnixEpoch, e)).ToList();
        await instance.Services.GetRequiredService<BaselineHandler>().HandleAsync(records, TestContext.Current.CancellationToken);
    }

    private static async Task<ProfileSnapshot> ReadWholeAsync(BaselineStack stack)
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var keys = new BaselineKeys(new RedisKeys(stack.KeyPrefix));
        return ProfileHashes.Profile(Sync, await connection.GetDatabase().HashGetAllAsync(keys.Profile(Sync.Tag)));
    }

    private static async Task<long> VersionAsync(BaselineStack stack)
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(stack.RedisEndpoint);
        var keys = new BaselineKeys(new RedisKeys(stack.KeyPrefix));
        return (long)await connection.GetDatabase().HashGetAsync(keys.Profile(Sync.Tag), ProfileFields.Version);
    }

    private static BaselineStore Store(BaselineInstance instance) => instance.Services.GetRequiredService<BaselineStore>();

    private static BaselineOptions Options(BaselineInstance instance) => instance.Services.GetRequiredService<BaselineOptions>();
}
