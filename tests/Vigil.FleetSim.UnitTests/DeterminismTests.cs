using Vigil.Contracts;
using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class DeterminismTests
{
    private static readonly FleetSimulationOptions Options = new()
    {
        Seed = 99,
        Hosts = 30,
        EventsPerSecond = 40,
        Duration = TimeSpan.FromMinutes(10),
        ScenarioInterval = TimeSpan.FromSeconds(15),
    };

    [Fact]
    public async Task TheSameSeedAndOptionsProduceIdenticalEventsAndGroundTruth()
    {
        var first = await Simulate.RunAsync(Options);
        var second = await Simulate.RunAsync(Options);

        Assert.True(first.Events.Count > 10_000);
        Assert.NotEmpty(first.Records);
        Assert.Equal(first.Lines(), second.Lines());
        Assert.Equal(first.GroundTruthLines(), second.GroundTruthLines());
    }

    [Fact]
    public async Task DifferentSeedsProduceDifferentFleetsAndActivity()
    {
        var first = await Simulate.RunAsync(Options);
        var second = await Simulate.RunAsync(Options with { Seed = 100 });

        Assert.Empty(first.Events.Select(e => e.Host.Id).Intersect(second.Events.Select(e => e.Host.Id)));
        Assert.Empty(first.Events.Select(e => e.Event.Id).Intersect(second.Events.Select(e => e.Event.Id)));
        Assert.NotEqual(first.Records.Select(r => r.Scenario), second.Records.Select(r => r.Scenario));
    }

    [Fact]
    public async Task AnotherStartTimeOnlyShiftsTimestamps()
    {
        var shift = TimeSpan.FromDays(40) + TimeSpan.FromMilliseconds(1.5);
        var first = await Simulate.RunAsync(Options with { Duration = TimeSpan.FromMinutes(3) });
        var second = await Simulate.RunAsync(Options with { Duration = TimeSpan.FromMinutes(3), StartTime = Options.StartTime + shift });

        var shifted = first.Events.Select(e =>
        {
            var copy = e.Clone();
            copy.Timestamp += shift.Ticks * 100;
            if (copy.Process.Start != 0)
            {
                copy.Process.Start += shift.Ticks * 100;
            }

            if (copy.Process.Parent?.Start is > 0)
            {
                copy.Process.Parent.Start += shift.Ticks * 100;
            }

            return EcsJson.Format(copy);
        });
        Assert.Equal(shifted, second.Lines());
    }

    [Fact]
    public async Task LiveModeProducesTheOfflineStreamShiftedToTheWallClock()
    {
        var wallClock = new SteppingTimeProvider(new DateTimeOffset(2031, 5, 5, 12, 0, 0, TimeSpan.Zero));
        var options = Options with { Duration = TimeSpan.FromMinutes(2) };

        var live = await Simulate.RunAsync(options with { Pacing = PacingMode.Live }, clock: wallClock);
        var offline = await Simulate.RunAsync(options with { StartTime = new DateTimeOffset(2031, 5, 5, 12, 0, 0, TimeSpan.Zero) });

        Assert.Equal(offline.Lines(), live.Lines());
        Assert.Equal(offline.GroundTruthLines(), live.GroundTruthLines());
    }

    [Fact]
    public async Task OnDemandInjectionsLeaveTheBackgroundActivityUnchanged()
    {
        var plain = await Simulate.RunAsync(Options with { ScenarioInterval = null, Duration = TimeSpan.FromMinutes(3) });
        var injected = await Simulate.RunAsync(Options with { ScenarioInterval = null, Duration = TimeSpan.FromMinutes(3) },
            simulation => simulation.InjectScenario("an0167-script-curl-to-tmp"));

        var scenarioIds = injected.Records.Single().EventIds.ToHashSet();
        var background = injected.Events.Where(e => !scenarioIds.Contains(e.Event.Id)).Select(e => e.Event.Id);
        Assert.Equal(plain.Events.Select(e => e.Event.Id), background);
    }
}
