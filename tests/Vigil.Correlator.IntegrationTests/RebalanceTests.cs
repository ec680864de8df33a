using Microsoft.Extensions.DependencyInjection;
using Vigil.Detection;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// Partitions moving between correlators of one group (embedded broker, real redis-server): the owner giving a
/// partition up names the states it had in memory, and the next owner loads them as it is assigned, before its first
/// batch, so it continues every host's sequence without reading states batch by batch.
/// </summary>
public sealed class RebalanceTests : RealStackTests
{
    private const string RuleId = "99239e7d-b0d4-46e3-8609-acafcf99f68c";
    private const int Hosts = 60;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AfterItsPartitionsMoveToANewOwnerEveryHostsSequenceCompletesWithoutAStateReadPerBatch()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "handoff");
        var group = harness.Topics.Manifest.ConsumerGroup("correlator", CorrelatorHarness.Analytic).Name;
        var first = await harness.StartCorrelatorAsync();
        var hosts = Enumerable.Range(0, Hosts).Select(h => $"mac-{h:D2}").ToArray();
        await harness.PublishAsync(hosts.Select((h, i) => InstallerEvents.ShellFromInstaller(h, InstallerEvents.T0 + (i * 1_000_000L), $"s-{i}")).ToArray());
        await harness.Topics.WaitUntilCommittedAsync(group, Patience);
        Assert.True(first.Services.GetRequiredService<OwnedStates>().Count >= Hosts);

        // A second member joins, then the first leaves: every partition ends with the second, each through a revocation.
        var second = await harness.StartCorrelatorAsync();
        var owned = second.Services.GetRequiredService<OwnedStates>();
        await Eventually.TrueAsync(() => owned.Preloaded > 0, Patience, "the second member is assigned partitions and loads their states");
        await first.StopAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => owned.Count >= Hosts, Patience, $"the second member holds every host's state after the first left (it holds {owned.Count})");

        // The new owner's batches of curls, and the releases after them, find every state in memory.
        var reads = await StateReadsAsync();
        var storeReads = owned.StoreReads;
        await harness.PublishAsync(hosts.Select((h, i) => InstallerEvents.CurlConnection(h, InstallerEvents.T0 + InstallerEvents.Seconds(1) + (i * 1_000_000L), $"c-{i}")).ToArray());

        var expected = Enumerable.Range(0, Hosts).Select(i => AlertFactory.AlertId(RuleId, [$"s-{i}", $"c-{i}"])).ToHashSet();
        await Eventually.TrueAsync(
            () => harness.Alerts(Hosts, TimeSpan.FromSeconds(2)).Select(a => a.Id).ToHashSet().SetEquals(expected),
            Patience,
            "every host's sequence, started with the first owner, completes with the second");
        Assert.Equal(storeReads, owned.StoreReads);
        Assert.Equal(reads, await StateReadsAsync());
    }

    /// <summary>States read by the state store so far: its read script runs TYPE once per key (a hash, or an earlier version's string).</summary>
    private async Task<long> StateReadsAsync() =>
        (await Redis.CommandCallsAsync(TestContext.Current.CancellationToken)).GetValueOrDefault("type");
}
