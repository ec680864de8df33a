using StackExchange.Redis;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Baseline.Storage;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// The baseline keeps the host views of the partitions it owns in memory between batches and writes them through to
/// Redis. Redis stays the source of truth: a partition's views leave memory when it is revoked, so whoever owns it
/// next (another member, or this one again later) continues from what was written, and a restart loses nothing that
/// was committed.
/// </summary>
public sealed class OwnedHostViewTests(RedisServer redis)
{
    // Beyond the stack's telemetry partitions: the services' own consume loops never assign or revoke it meanwhile.
    private const string Topic = "owned-views";
    private const int Partition = 50;

    private readonly BaselineTelemetry mac = new("mac-owned");
    private readonly Contracts.Telemetry.Process agent = SyncAgent("agent-1");

    [Fact]
    public async Task ViewsHeldInMemoryLeaveOnRevokeAndEachNextOwnerContinuesFromRedis()
    {
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:MinObservations"] = "1000000" });
        var first = await stack.StartBaselineAsync();
        var second = await stack.StartBaselineAsync();
        var records = Connections(12);
        var partition = new[] { new TopicPartitionRef(Topic, Partition) };

        await Handler(first).HandleAsync(records[..3], TestContext.Current.CancellationToken);
        await Handler(first).HandleAsync(records[3..5], TestContext.Current.CancellationToken);
        Assert.Equal(1, Views(first).Count);

        await Handler(first).OnPartitionsRevokedAsync(partition);
        Assert.Equal(0, Views(first).Count);

        // The next owner replays from an earlier commit: what the first owner wrote is not counted again.
        await Handler(second).OnPartitionsAssignedAsync(partition);
        await Handler(second).HandleAsync(records[3..8], TestContext.Current.CancellationToken);
        Assert.Equal(8, (await second.ProfileAsync("com.example.sync")).Observations);

        // The partition comes back: the first member reads the second's writes instead of its own older copy (which
        // Redis would refuse as stale).
        await Handler(second).OnPartitionsRevokedAsync(partition);
        await Handler(first).OnPartitionsAssignedAsync(partition);
        await Handler(first).HandleAsync(records[8..], TestContext.Current.CancellationToken);

        var profile = await first.GetProfileAsync("com.example.sync", mac.HostId);
        Assert.Equal(12, profile.Profile.Observations);
        Assert.Equal(12, profile.HostView.Observations);
        Assert.Equal(records[^1].Value.Timestamp, profile.HostView.LastSeen);
        Assert.Equal(0, Metric(first) + Metric(second));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ARestartedBaselineLosesNothingItHadCommittedFromMemory(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:MinObservations"] = "1000000" }, protocol);
        var records = Connections(10);
        var before = await stack.StartBaselineAsync();
        await Handler(before).HandleAsync(records[..6], TestContext.Current.CancellationToken);
        Assert.Equal(1, Views(before).Count);
        await before.StopAsync();

        // After the restart the uncommitted tail is replayed along with records already learned.
        var after = await stack.StartBaselineAsync();
        Assert.Equal(0, Views(after).Count);
        await Handler(after).HandleAsync(records[4..], TestContext.Current.CancellationToken);

        var profile = await after.GetProfileAsync("com.example.sync", mac.HostId);
        Assert.Equal(10, profile.Profile.Observations);
        Assert.Equal(10, profile.HostView.Observations);
        Assert.Equal(10, profile.HostView.Protocols.Sum(p => p.Count));
    }

    private List<ConsumedRecord<TelemetryEvent>> Connections(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ConsumedRecord<TelemetryEvent>(
            Topic, Partition, i, mac.HostId, DateTimeOffset.UnixEpoch, mac.Connect(agent, Start + (i * Second))))];

    private static BaselineHandler Handler(BaselineInstance instance) => instance.Services.GetRequiredService<BaselineHandler>();

    private static OwnedHostViews Views(BaselineInstance instance) => instance.Services.GetRequiredService<BaselineStore>().Views;

    private static double Metric(BaselineInstance instance) => instance.Services.GetRequiredService<BaselineMetrics>().WriteConflicts.Value;
}
