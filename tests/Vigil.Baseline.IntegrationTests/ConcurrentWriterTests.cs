using StackExchange.Redis;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Baseline.UnitTests;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Testing;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>
/// During a rebalance the old owner of a partition may still write what the new owner is replaying. Whichever writes
/// second finds the host views moved on: its whole update is refused, and its retry finds the records already counted.
/// </summary>
public sealed class ConcurrentWriterTests(RedisServer redis)
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task TwoOwnersOfTheSameRecordsDuringARebalanceCountThemOnce(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:MinObservations"] = "1000000" }, protocol);
        var baseline = await stack.StartBaselineAsync();
        var store = baseline.Services.GetRequiredService<BaselineStore>();
        var detector = baseline.Services.GetRequiredService<BaselineDetector>();
        var handler = baseline.Services.GetRequiredService<BaselineHandler>();
        var mac = new BaselineTelemetry("mac-race");
        var peer = new BaselineTelemetry("mac-peer");
        var agent = SyncAgent("agent-1");
        var batch = new[] { mac.Connect(agent, Start), peer.Connect(agent, Start), mac.Connect(agent, Start + Second) }
            .Select((e, i) => new ConsumedRecord<TelemetryEvent>("race-topic", e.Host.Id == mac.HostId ? 0 : 1, i, e.Host.Id, DateTimeOffset.UnixEpoch, e))
            .ToList();

        // The old owner reads and evaluates; the new owner handles the same records and writes first.
        var observations = batch.Select(r => NetworkObservation.From(r)!.Value).ToList();
        var image = observations[0].Image;
        var state = await store.LoadAsync([image], [(image, mac.HostId), (image, peer.HostId)]);
        var late = detector.Evaluate(observations, state.Profiles, state.Hosts);
        await handler.HandleAsync(batch, TestContext.Current.CancellationToken);

        var refused = await store.CommitAsync(late, state.Profiles);
        Assert.Equal(2, refused.Conflicts);
        Assert.Equal(3, (await baseline.ProfileAsync("com.example.sync")).Observations);

        // Its retry re-reads the views and finds every record already counted.
        await handler.HandleAsync(batch, TestContext.Current.CancellationToken);
        var profile = await baseline.ProfileAsync("com.example.sync");
        Assert.Equal(3, profile.Observations);
        Assert.Equal(2, profile.DistinctHosts);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AnImageWhoseHostViewsMovedIsRefusedWhileTheOtherImagesOfTheSameBatchAreLearned(RedisProtocol protocol)
    {
        await using var stack = new BaselineStack(redis, new Dictionary<string, string> { ["Baseline:MinObservations"] = "1000000" }, protocol);
        var baseline = await stack.StartBaselineAsync();
        var store = baseline.Services.GetRequiredService<BaselineStore>();
        var detector = baseline.Services.GetRequiredService<BaselineDetector>();
        var handler = baseline.Services.GetRequiredService<BaselineHandler>();
        var mac = new BaselineTelemetry("mac-mixed");
        var sync = SyncAgent("agent-1");
        var curl = Apple("curl-1", "curl", "/usr/bin/curl");
        var events = new[] { mac.Connect(sync, Start), mac.Connect(curl, Start), mac.Connect(curl, Start + Second) };
        var batch = Batches.Records("mixed-topic", events);

        // The old owner reads and evaluates both images; the new owner handles only the sync agent's record first.
        var observations = batch.Select(r => NetworkObservation.From(r)!.Value).ToList();
        var (syncImage, curlImage) = (observations[0].Image, observations[1].Image);
        var state = await store.LoadAsync([syncImage, curlImage], [(syncImage, mac.HostId), (curlImage, mac.HostId)]);
        var late = detector.Evaluate(observations, state.Profiles, state.Hosts);
        await handler.HandleAsync(batch.Take(1).ToList(), TestContext.Current.CancellationToken);

        // Only the sync agent's view moved: its update is refused, curl's is applied with it in the same batch.
        var committed = await store.CommitAsync(late, state.Profiles);
        Assert.Equal(1, committed.Conflicts);
        Assert.Equal(1, (await baseline.ProfileAsync("com.example.sync")).Observations);
        Assert.Equal(2, (await baseline.ProfileAsync("com.apple.curl")).Observations);
    }
}
