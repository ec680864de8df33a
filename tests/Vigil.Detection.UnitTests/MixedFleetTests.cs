using Vigil.Detection.UnitTests.Support;
using Vigil.FleetSim;

namespace Vigil.Detection.UnitTests;

/// <summary>A longer run of a few hundred Macs with every scenario on a schedule and skewed sources, scored against ground truth.</summary>
public sealed class MixedFleetTests
{
    [Fact]
    public async Task AMixedFleetRunReportsEveryAttackAndNothingElse()
    {
        var run = await SimulationRecording.RunAsync(new FleetSimulationOptions
        {
            Seed = 11,
            Hosts = 300,
            EventsPerSecond = 300,
            Duration = TimeSpan.FromMinutes(10),
            ScenarioInterval = TimeSpan.FromSeconds(5),
            // Less than the rules' 3 s lateness: out-of-order sources must not change any result.
            MaxSourceSkew = TimeSpan.FromMilliseconds(1500),
        });

        var (alerts, counts) = RulePacks.Run(RulePacks.All.Rules, run.Events);
        var covered = RulePacks.All.Rules.Select(r => r.AnalyticId).Distinct().ToArray();
        var score = new DetectionScore(run.Records, alerts, covered);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{counts.Events} events, {run.Records.Count} scenarios ({run.Records.Count(r => r.Complete)} complete), {counts.Matches} matches, " +
            $"{counts.ExceptedEvents} events removed by exceptions, {counts.Repeats} repeats, {counts.Suppressed} suppressed, {counts.LateEvents} late events, {alerts.Count} alerts\n{score.Report()}");

        Assert.Equal(["AN0167", "AN0425", "AN0994", "INSTALLER-NETWORK"], covered.Order());
        Assert.All(covered, analytic =>
        {
            var counts = score.ByAnalytic[analytic];
            Assert.True(counts.Attacks >= 5, $"{analytic}: only {counts.Attacks} attacks were scheduled");
            Assert.Empty(counts.Missed);
            Assert.Equal(counts.TruePositives, counts.ExactEvidence);
        });
        Assert.All(score.ByAnalytic.Values, counts =>
        {
            Assert.Empty(counts.LookAlikeFalsePositives);
            Assert.Empty(counts.BackgroundFalsePositives);
        });
    }
}
