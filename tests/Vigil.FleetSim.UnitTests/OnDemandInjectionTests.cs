using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class OnDemandInjectionTests
{
    [Fact]
    public async Task ScenariosInjectedFromManyThreadsWhileRunningAllPlayOutWithDistinctIds()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        FleetSimulation? simulation = null;
        var sink = new RecordingSink
        {
            BeforeFirstBatch = () => Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                for (var i = 0; i < 25; i++)
                {
                    ids.Add(simulation!.InjectScenario(ScenarioCatalog.All[i % ScenarioCatalog.All.Count].Name));
                }
            }))),
        };
        var groundTruth = new RecordingGroundTruth(sink);
        simulation = new FleetSimulation(Simulate.Quiet() with { BatchSize = 10 }, groundTruth);

        await simulation.RunAsync(sink, TestContext.Current.CancellationToken);

        Assert.Equal(100, ids.Distinct().Count());
        Assert.Equal(ids.Order(), groundTruth.Records.Select(r => r.ScenarioId).Order());
        Assert.All(groundTruth.Records, r =>
        {
            Assert.True(r.Complete);
            Assert.Equal(ScenarioOrigin.OnDemand, r.Origin);
            Assert.True(r.FirstEventTime > sink.Batches[0].Batch[^1].Timestamp - 1);
        });
    }

    [Fact]
    public async Task AScenarioCanBePinnedToAHost()
    {
        var outcome = await Simulate.RunAsync(Simulate.Quiet(), s =>
        {
            s.InjectScenario("an0994-download-executed", hostIndex: 3);
            s.InjectScenario("an0425-docs-then-http-exfil", hostIndex: 3);
        });

        Assert.Single(outcome.Records.Select(r => r.HostId).Distinct());
    }

    [Fact]
    public void UnknownScenariosAndHostsOutsideTheFleetAreRejected()
    {
        var simulation = new FleetSimulation(Simulate.Quiet());

        Assert.Throws<ArgumentException>(() => simulation.InjectScenario("an9999-nope"));
        Assert.Throws<ArgumentException>(() => simulation.InjectScenario("an0167-script-curl-to-tmp", hostIndex: 20));
        Assert.Throws<ArgumentException>(() => simulation.InjectScenario("an0167-script-curl-to-tmp", hostIndex: -1));
    }

    [Fact]
    public void AHostWithoutTheSoftwareAScenarioNeedsIsRejected()
    {
        var catalog = new Fleet.HostCatalog(7, 200);
        var withoutBackup = Enumerable.Range(0, 200).First(i => catalog.Describe(i).Backup == Fleet.BackupVendor.None);
        var simulation = new FleetSimulation(Simulate.Quiet() with { Hosts = 200 });

        var error = Assert.Throws<ArgumentException>(() => simulation.InjectScenario("an0425-backup-https-upload", withoutBackup));

        Assert.Contains("lacks", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFleetRunsOnlyOnce()
    {
        var simulation = new FleetSimulation(Simulate.Quiet() with { MaxEvents = 10 });
        await simulation.RunAsync(new RecordingSink(), TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<InvalidOperationException>(() => simulation.RunAsync(new RecordingSink(), TestContext.Current.CancellationToken));
    }
}
