using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class OptionsTests
{
    public static TheoryData<FleetSimulationOptions, string> Invalid => new()
    {
        { new FleetSimulationOptions { Hosts = 0 }, "Hosts" },
        { new FleetSimulationOptions { EventsPerSecond = 0 }, "EventsPerSecond" },
        { new FleetSimulationOptions { EventsPerSecond = double.NaN }, "EventsPerSecond" },
        { new FleetSimulationOptions { Duration = TimeSpan.Zero }, "Duration" },
        { new FleetSimulationOptions { MaxEvents = 0 }, "MaxEvents" },
        { new FleetSimulationOptions { MaliciousShare = 1.5 }, "MaliciousShare" },
        { new FleetSimulationOptions { MaxSourceSkew = TimeSpan.FromMilliseconds(-1) }, "MaxSourceSkew" },
        { new FleetSimulationOptions { BatchSize = 0 }, "BatchSize" },
        { new FleetSimulationOptions { Analytics = ["AN0001"] }, "Analytics" },
        { new FleetSimulationOptions { Scenarios = ["made-up"] }, "Scenarios" },
        { new FleetSimulationOptions { Analytics = ["AN1227"], Scenarios = ["an0167-script-curl-to-tmp"] }, "Scenarios" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidOptionsAreRejectedByName(FleetSimulationOptions options, string option)
    {
        var error = Assert.Throws<ArgumentException>(() => new FleetSimulation(options));

        Assert.Equal(option, error.ParamName);
    }

    [Fact]
    public async Task TheScheduleDrawsOnlyFromTheChosenAnalyticsAndLabel()
    {
        var outcome = await Simulate.RunAsync(Simulate.Quiet() with
        {
            ScenarioInterval = TimeSpan.FromSeconds(30),
            Analytics = ["installer-network", "an0425"],
            MaliciousShare = 1,
        });

        Assert.True(outcome.Records.Count > 50);
        Assert.All(outcome.Records, r =>
        {
            Assert.Contains(r.AnalyticId, new[] { "installer-network", "AN0425" });
            Assert.Equal(ScenarioLabel.Malicious, r.Label);
        });
    }

    [Fact]
    public async Task TheScheduleCanBeNarrowedToNamedScenarios()
    {
        var outcome = await Simulate.RunAsync(Simulate.Quiet() with
        {
            ScenarioInterval = TimeSpan.FromMinutes(1),
            Scenarios = ["an1227-osascript-curl-ftp", "an1227-automator-small-https"],
        });

        Assert.Equal(["an1227-automator-small-https", "an1227-osascript-curl-ftp"], outcome.Records.Select(r => r.Scenario).Distinct().Order());
    }

    [Fact]
    public void TheCatalogCoversEveryAnalyticWithAttacksAndLookAlikes()
    {
        Assert.All(ScenarioCatalog.AnalyticIds, analytic =>
        {
            Assert.Contains(ScenarioCatalog.All, d => d.AnalyticId == analytic && d.Label == ScenarioLabel.Malicious);
            Assert.Contains(ScenarioCatalog.All, d => d.AnalyticId == analytic && d.Label == ScenarioLabel.Benign);
        });
        Assert.Equal(ScenarioCatalog.All.Count, ScenarioCatalog.All.Select(d => d.Name).Distinct().Count());
    }
}
