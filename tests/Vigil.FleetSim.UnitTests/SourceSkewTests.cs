using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class SourceSkewTests
{
    private static readonly FleetSimulationOptions Options = new()
    {
        Seed = 17,
        Hosts = 10,
        EventsPerSecond = 30,
        Duration = TimeSpan.FromMinutes(10),
        ScenarioInterval = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task WithoutSkewEventsLeaveInTimestampOrder()
    {
        var outcome = await Simulate.RunAsync(Options);

        Assert.Equal(outcome.Events.OrderBy(e => e.Timestamp).ThenBy(e => e.Event.Sequence).Select(e => e.Event.Id), outcome.Events.Select(e => e.Event.Id));
    }

    [Fact]
    public async Task SkewReordersAHostsSourcesByNoMoreThanTheMaximum()
    {
        var maxSkew = TimeSpan.FromMilliseconds(800);
        var outcome = await Simulate.RunAsync(Options with { MaxSourceSkew = maxSkew });

        var disorder = 0;
        foreach (var host in outcome.Events.GroupBy(e => e.Host.Id))
        {
            var newest = long.MinValue;
            foreach (var e in host)
            {
                if (e.Timestamp < newest)
                {
                    disorder++;
                    Assert.True(newest - e.Timestamp <= maxSkew.Ticks * 100, $"{(newest - e.Timestamp) / 1_000_000} ms late");
                }

                newest = Math.Max(newest, e.Timestamp);
            }
        }

        Assert.True(disorder > 0, "skew never reordered anything");
    }

    [Fact]
    public async Task EachSourceOfAHostStaysInOrderUnderSkew()
    {
        var outcome = await Simulate.RunAsync(Options with { MaxSourceSkew = TimeSpan.FromMilliseconds(800) });

        foreach (var source in outcome.Events.GroupBy(e => (e.Host.Id, Source(e.Event.Category[0]))))
        {
            var sequences = source.Select(e => e.Event.Sequence).ToList();
            Assert.Equal(sequences.Order(), sequences);
        }
    }

    [Fact]
    public async Task SkewChangesTheOrderButNotTheContent()
    {
        var plain = await Simulate.RunAsync(Options);
        var skewed = await Simulate.RunAsync(Options with { MaxSourceSkew = TimeSpan.FromMilliseconds(800) });

        Assert.NotEqual(plain.Lines(), skewed.Lines());
        Assert.Equal(plain.Lines().Order(), skewed.Lines().Order());
        Assert.Equal(plain.GroundTruthLines().Order(), skewed.GroundTruthLines().Order());
    }

    private static string Source(string category) => category is "library" ? "process" : category;
}
