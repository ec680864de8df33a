using Vigil.FleetSim.UnitTests.Support;

namespace Vigil.FleetSim.UnitTests;

public sealed class GroundTruthTests(BusyFleetRun run)
{
    private IReadOnlyList<GroundTruthRecord> Records => run.Outcome.Records;

    [Fact]
    public void AScheduledScenarioIsRecordedForEveryInterval()
    {
        // 30 minutes at one scenario per 20 s: the 90th starts at the very end and is cut short.
        Assert.InRange(Records.Count, 88, 90);
        Assert.Equal(Records.Count, Records.Select(r => r.ScenarioId).Distinct().Count());
        Assert.All(Records, r => Assert.Equal(ScenarioOrigin.Scheduled, r.Origin));
    }

    [Fact]
    public void TheScheduleMixesAnalyticsAndLabels()
    {
        Assert.Equal(ScenarioCatalog.AnalyticIds.Order(), Records.Select(r => r.AnalyticId).Distinct().Order());
        Assert.Contains(Records, r => r.Label == ScenarioLabel.Malicious);
        Assert.Contains(Records, r => r.Label == ScenarioLabel.Benign);
    }

    [Fact]
    public void EveryRecordedEventWasEmittedOnTheRecordedHostAndTime()
    {
        Assert.All(Records, r =>
        {
            var events = run.Outcome.EventsOf(r);
            Assert.NotEmpty(events);
            Assert.All(events, e => Assert.Equal(r.HostId, e.Host.Id));
            Assert.All(events, e => Assert.Equal(r.HostName, e.Host.Name));
            Assert.Equal(events.Min(e => e.Timestamp), r.FirstEventTime);
            Assert.Equal(events.Max(e => e.Timestamp), r.LastEventTime);
            Assert.Equal(events.OrderBy(e => e.Timestamp).ThenBy(e => e.Event.Sequence), events);
        });
    }

    [Fact]
    public void AttacksCiteEvidenceInStepOrderAndLookAlikesCiteNone()
    {
        Assert.All(Records, r =>
        {
            if (r.Label == ScenarioLabel.Benign)
            {
                Assert.Empty(r.EvidenceEventIds);
                return;
            }

            Assert.True(r.EvidenceEventIds.Count >= 2 || !r.Complete);
            Assert.Subset(r.EventIds.ToHashSet(), r.EvidenceEventIds.ToHashSet());
            var evidence = run.Outcome.EvidenceOf(r);
            for (var i = 1; i < evidence.Count; i++)
            {
                Assert.True(EventShapes.Precedes(evidence[i - 1], evidence[i]));
            }

            if (evidence.Count > 0)
            {
                Assert.Equal(r.UserId, evidence[0].User.Id);
            }
        });
    }

    [Fact]
    public void ScenariosDoNotShareEvents()
    {
        var all = Records.SelectMany(r => r.EventIds).ToList();

        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void ARecordIsWrittenOnlyAfterItsLastEventWasDelivered()
    {
        var position = run.Outcome.Events.Select((e, i) => (e.Event.Id, i)).ToDictionary(p => p.Id, p => p.i);

        Assert.All(run.Outcome.GroundTruth.Entries, entry =>
            Assert.All(entry.Record.EventIds, id => Assert.True(position[id] < entry.EventsDeliveredBefore)));
    }

    [Fact]
    public void RecordsRoundTripThroughTheirJsonLine()
    {
        Assert.All(Records, r =>
        {
            var parsed = GroundTruthRecord.FromJson(r.ToJson());
            Assert.Equal(r.ToJson(), parsed.ToJson());
            Assert.Equal(r.EventIds, parsed.EventIds);
        });
    }

    [Fact]
    public void TheJsonLineUsesSnakeCaseKeysAndIsoTimes()
    {
        var line = Records[0].ToJson();

        foreach (var key in new[] { "scenario_id", "scenario", "analytic_id", "label", "origin", "host_id", "host_name", "user_name", "user_id", "first_event_time", "last_event_time", "event_ids", "evidence_event_ids", "description", "complete" })
        {
            Assert.Contains($"\"{key}\":", line, StringComparison.Ordinal);
        }

        Assert.Matches("\"first_event_time\":\"2025-03-03T09:[0-9:.]+Z\"", line);
    }

    [Fact]
    public async Task AScenarioCutShortByTheEventLimitIsRecordedAsIncompleteWithWhatWasEmitted()
    {
        var outcome = await Simulate.RunAsync(Simulate.Quiet() with { MaxEvents = 4 },
            simulation => simulation.InjectScenario("an0167-script-curl-to-tmp"));

        var record = Assert.Single(outcome.Records);
        Assert.False(record.Complete);
        Assert.Equal(4, outcome.Events.Count);
        Assert.NotEmpty(record.EventIds);
        Assert.Subset(outcome.Events.Select(e => e.Event.Id).ToHashSet(), record.EventIds.ToHashSet());
        Assert.Equal(1, outcome.Summary.ScenariosIncomplete);
    }
}
