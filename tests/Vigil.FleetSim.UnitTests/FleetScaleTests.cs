using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class FleetScaleTests
{
    [Fact]
    public async Task AHundredThousandHostFleetSpreadsActivityOverManyDistinctHosts()
    {
        var outcome = await Simulate.RunAsync(new FleetSimulationOptions
        {
            Seed = 5,
            Hosts = 100_000,
            EventsPerSecond = 20_000,
            MaxEvents = 60_000,
            ScenarioInterval = TimeSpan.FromSeconds(1),
        });

        var hosts = outcome.Events.GroupBy(e => e.Host.Id).ToList();
        Assert.Equal(60_000, outcome.Events.Count);
        Assert.True(hosts.Count > 2_000, $"only {hosts.Count} distinct hosts");
        Assert.All(hosts, h => Assert.Single(h.Select(e => e.Host.Name).Distinct()));
        Assert.NotEmpty(outcome.Records);
    }

    [Fact]
    public void DeclaringAHugeFleetAllocatesNothingPerHost()
    {
        _ = new FleetSimulation(new FleetSimulationOptions { Hosts = 10 });
        var before = GC.GetAllocatedBytesForCurrentThread();

        _ = new FleetSimulation(new FleetSimulationOptions { Hosts = 10_000_000 });

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
    }

    [Fact]
    public async Task HostsKeepTheirIdentityWhateverTheFleetSize()
    {
        var small = await Simulate.RunAsync(Simulate.Quiet(seed: 3) with { Hosts = 10 }, s => s.InjectScenario("an0167-mdm-curl-own-folder", hostIndex: 7));
        var large = await Simulate.RunAsync(Simulate.Quiet(seed: 3) with { Hosts = 100_000 }, s => s.InjectScenario("an0167-mdm-curl-own-folder", hostIndex: 7));

        Assert.Equal(small.Records.Single().HostId, large.Records.Single().HostId);
        Assert.Equal(small.Records.Single().HostName, large.Records.Single().HostName);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(300)]
    public async Task BackgroundActivityRunsAtTheConfiguredRate(double eventsPerSecond)
    {
        var outcome = await Simulate.RunAsync(new FleetSimulationOptions
        {
            Seed = 11,
            EventsPerSecond = eventsPerSecond,
            Duration = TimeSpan.FromMinutes(10),
            ScenarioInterval = null,
        });

        var expected = eventsPerSecond * 10 * 60;
        Assert.InRange(outcome.Events.Count, expected * 0.95, expected * 1.05);
        var firstMinute = outcome.Events.Count(e => e.Timestamp < outcome.Summary.FirstEventTime + 60_000_000_000);
        Assert.InRange(firstMinute, eventsPerSecond * 60 * 0.8, eventsPerSecond * 60 * 1.2);
    }
}
