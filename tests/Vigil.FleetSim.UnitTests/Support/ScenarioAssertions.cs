using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.UnitTests.Support;

/// <summary>Runs copies of one scenario and checks the facts every scenario must satisfy before its own.</summary>
internal static class ScenarioAssertions
{
    public static async Task<IReadOnlyList<(GroundTruthRecord Record, IReadOnlyList<TelemetryEvent> Events, IReadOnlyList<TelemetryEvent> Evidence)>> PlayAsync(
        string scenario, string analytic, ScenarioLabel label, int copies = 12)
    {
        var outcome = await Simulate.ScenarioAsync(scenario, copies);
        Assert.Equal(copies, outcome.Records.Count);
        return outcome.Records.Select(r =>
        {
            Assert.True(r.Complete, $"{r.ScenarioId} did not finish within the run");
            Assert.Equal(scenario, r.Scenario);
            Assert.Equal(analytic, r.AnalyticId);
            Assert.Equal(label, r.Label);
            Assert.Equal(ScenarioOrigin.OnDemand, r.Origin);
            Assert.NotEmpty(r.Description);
            return (r, outcome.EventsOf(r), outcome.EvidenceOf(r));
        }).ToList();
    }

    /// <summary>Evidence steps are distinct events, strictly ordered by (@timestamp, event.sequence).</summary>
    public static void InStepOrder(IReadOnlyList<TelemetryEvent> evidence)
    {
        for (var i = 1; i < evidence.Count; i++)
        {
            Assert.True(EventShapes.Precedes(evidence[i - 1], evidence[i]), $"evidence step {i} is not after step {i - 1}");
        }
    }

    public static bool IsUserWritable(string path, string home) =>
        path.StartsWith($"{home}/", StringComparison.Ordinal) || path.StartsWith("/tmp/", StringComparison.Ordinal)
        || path.StartsWith("/private/tmp/", StringComparison.Ordinal) || path.StartsWith("/var/folders/", StringComparison.Ordinal)
        || path.StartsWith("/Users/Shared/", StringComparison.Ordinal);
}
