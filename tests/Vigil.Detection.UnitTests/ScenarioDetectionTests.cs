using Vigil.Detection.UnitTests.Support;
using Vigil.FleetSim;

namespace Vigil.Detection.UnitTests;

/// <summary>
/// The repository's rule packs against fleet-sim scenarios injected into a fleet with background activity: every
/// attack is reported once, citing exactly the events its ground truth names, and no look-alike is.
/// </summary>
public sealed class ScenarioDetectionTests
{
    private const int Copies = 12;

    // AN1227 is the baseline service's analytic: no sequence rule covers it, but its look-alikes must not trip one.
    public static TheoryData<string> AttackScenarios { get; } = new(ScenarioCatalog.All
        .Where(d => d.Label == ScenarioLabel.Malicious && d.AnalyticId != "AN1227")
        .Select(d => d.Name));

    public static TheoryData<string> LookAlikeScenarios { get; } = new(ScenarioCatalog.All
        .Where(d => d.Label == ScenarioLabel.Benign)
        .Select(d => d.Name));

    [Theory]
    [MemberData(nameof(AttackScenarios))]
    public async Task EveryAttackIsReportedOnceByItsAnalyticCitingExactlyItsGroundTruthEvidence(string scenario)
    {
        var run = await SimulationRecording.ScenarioAsync(scenario, Copies);
        var alerts = RulePacks.Detect(RulePacks.All.Rules, run.Events);

        Assert.Equal(Copies, run.Records.Count);
        Assert.All(run.Records, record =>
        {
            Assert.True(record.Complete);
            var events = record.EventIds.ToHashSet();
            var citing = alerts.Where(a => a.EvidenceIds().Any(events.Contains)).ToList();
            var alert = Assert.Single(citing);
            Assert.Equal(record.AnalyticId, alert.Rule.AnalyticId, ignoreCase: true);
            Assert.Equal(record.HostId, alert.Host.Id);

            // The scenario marks, in step order, exactly the events the sequence's steps match: for AN0425 that is the
            // last document read before the connection, because a newer partial sequence replaces an older one.
            Assert.Equal(record.EvidenceEventIds, alert.EvidenceIds());
        });
    }

    [Theory]
    [MemberData(nameof(LookAlikeScenarios))]
    public async Task NoLookAlikeEventIsCitedByAnyAlert(string scenario)
    {
        var run = await SimulationRecording.ScenarioAsync(scenario, Copies);
        var alerts = RulePacks.Detect(RulePacks.All.Rules, run.Events);

        Assert.Equal(Copies, run.Records.Count);
        var lookAlikeEvents = run.Records.SelectMany(r => r.EventIds).ToHashSet();
        Assert.DoesNotContain(alerts, a => a.EvidenceIds().Any(lookAlikeEvents.Contains));
    }
}
