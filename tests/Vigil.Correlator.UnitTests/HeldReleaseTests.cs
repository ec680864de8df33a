using Vigil.Correlator.UnitTests.Support;
using Vigil.Detection;
using Vigil.Messaging;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

/// <summary>
/// When held-back events are released for the rules that wait for the watermark (files/watermark_pack: a plain
/// sequence, the same with until, and with a missing-event step, all with the packs' 3 s lateness, early reports off):
/// the lateness after they arrived, whatever the host sends meanwhile; never before an out-of-order event still within
/// the lateness could change the outcome; and once, across restarts and failed writes.
/// </summary>
public sealed class HeldReleaseTests
{
    private const string Analytic = "watermark-tests";
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(3);
    private static readonly TopicPartitionRef Partition0 = new("telemetry", 0);

    private readonly AnalyticPack pack = AnalyticPack.Load(Analytic, Path.Combine(AppContext.BaseDirectory, "files", "watermark_pack"), Lateness);
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
    private readonly ManualClock clock = new(At(0));
    private readonly InMemoryStateStore store = new();
    private readonly AlertTopic topic = new();
    private readonly RememberingMemory memory = new();

    [Fact]
    public async Task AMatchOfAHostSendingAnEventEveryTwoSecondsIsReportedTheLatenessAfterItsLastEventArrived()
    {
        var owner = NewOwner();
        var reported = new List<string>();

        reported.AddRange(await owner.ReceiveAsync(0, Shell("mac-1", T(0), "s")));
        reported.AddRange(await owner.ReceiveAsync(2, Curl("mac-1", T(2), "c1")));
        reported.AddRange(await owner.ReceiveAsync(4, Curl("mac-1", T(4), "c2")));
        reported.AddRange(await owner.ReleaseDueAsync(4.9));

        // The host never went quiet for the lateness, and no event 3 s newer than c1 has arrived: before, c1 waited for
        // the event at 6 s (or a 3 s gap). It has waited the lateness since it arrived at 2 s, so at 5 s it goes.
        Assert.Empty(reported);
        Assert.Equal(At(5), owner.Engine.Held.NextDue);
        Assert.Equal(["missing:s,c1", "plain:s,c1", "until:s,c1"], await owner.ReleaseDueAsync(5));

        // c2 arrived at 4 s and stays held until 7 s.
        Assert.Equal(At(7), owner.Engine.Held.NextDue);
        reported.AddRange(await owner.ReceiveAsync(6, Curl("mac-1", T(6), "c3")));
        Assert.Empty(reported);
        Assert.Empty(await owner.ReleaseDueAsync(7));
        Assert.Equal(At(9), owner.Engine.Held.NextDue);
    }

    [Fact]
    public async Task AHostWhoseEventsComeFurtherApartThanTheStateRetentionCostsNoStoreReadOnceItsStatesAreEmptyAndStillMatches()
    {
        var owner = NewOwner();
        Assert.Empty(await owner.ReceiveAsync(0, Curl("mac-1", T(0), "c0")));
        Assert.Empty(await owner.ReleaseDueAsync(3));
        var reads = store.KeysRead;
        Assert.Equal(pack.Rules.Count, reads);
        Assert.Empty(store.States);

        // Minutes later, past every rule's retention (a sweep has run meanwhile): the states the store does not hold are
        // known empty in memory and start over without a read, as the read would have had them start.
        var later = 3 + pack.Rules.Max(r => r.Engine.StateRetention + CorrelationEngine.ProcessingSlack).TotalSeconds + 60;
        clock.Now = At(later);
        owner.States.Sweep();
        var reported = await owner.ReceiveAsync(later, Shell("mac-1", T(later), "s"));
        reported.AddRange(await owner.ReceiveAsync(later + 1, Curl("mac-1", T(later + 1), "c1")));
        reported.AddRange(await owner.ReleaseDueAsync(later + 4));

        Assert.Equal(["missing:s,c1", "plain:s,c1", "until:s,c1"], reported);
        Assert.Equal(reads, store.KeysRead);
        Assert.Equal(pack.Rules.Count, owner.States.KnownEmptyRenewals);
    }

    [Fact]
    public async Task AnUntilEventArrivingWithinTheLatenessAfterTheSequenceStillCancelsItAndFillsTheMissingStep()
    {
        var owner = NewOwner();
        var until = metrics.Rejected.WithLabels(Analytic, RuleId("until"), "until");
        var missing = metrics.Rejected.WithLabels(Analytic, RuleId("missing"), "missing_event");
        var (untilBefore, missingBefore) = (until.Value, missing.Value);

        await owner.ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await owner.ReceiveAsync(2, Curl("mac-1", T(2), "c"));
        Assert.Empty(await owner.ReleaseDueAsync(3)); // the shell has waited the lateness: it alone is released

        // The shell's exit happened at 1 s but reaches the correlator at 4.5 s: 2.5 s after the curl, within the lateness.
        await owner.ReceiveAsync(4.5, Exit("mac-1", T(1), "x"));
        var reported = await owner.ReleaseDueAsync(5);

        Assert.Equal(["plain:s,c"], reported);
        Assert.Equal(1, until.Value - untilBefore);
        Assert.Equal(1, missing.Value - missingBefore);
    }

    [Fact]
    public async Task AnUntilEventArrivingMoreThanTheLatenessAfterTheSequenceIsCountedLateAndChangesNothing()
    {
        var owner = NewOwner();
        var late = metrics.LateEvents.WithLabels(Analytic, RuleId("until"));
        var before = late.Value;

        await owner.ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await owner.ReceiveAsync(2, Curl("mac-1", T(2), "c"));
        Assert.Equal(["missing:s,c", "plain:s,c", "until:s,c"], await owner.ReleaseDueAsync(5));

        Assert.Empty(await owner.ReceiveAsync(5.5, Exit("mac-1", T(1), "x")));
        Assert.Equal(1, late.Value - before);
    }

    [Fact]
    public async Task HeldEventsSurviveARestartAndAreReportedOnceEvenWhenTheirEventsAreReplayed()
    {
        var first = NewOwner();
        await first.ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await first.ReceiveAsync(2, Curl("mac-1", T(2), "c"));
        Assert.Empty(await first.ReleaseDueAsync(3)); // the shell is released and stored as a partial; then the process dies
        Assert.Equal(3, store.Held[0].Count);

        // The next owner takes the partition over and, at least once, gets the records after the last commit again.
        var second = NewOwner();
        await second.TakeOverAsync(3.5);
        Assert.Empty(await second.ReceiveAsync(3.6, Shell("mac-1", T(0), "s"), Curl("mac-1", T(2), "c")));
        Assert.Empty(await second.ReleaseDueAsync(6.5));
        Assert.Equal(["missing:s,c", "plain:s,c", "until:s,c"], await second.ReleaseDueAsync(6.6));
        Assert.Empty(store.Held[0]);
        Assert.Null(second.Engine.Held.NextDue);

        // A third owner replaying the same records again (the state was deleted once emptied) derives the same
        // evidence, so the same alert ids, which the outbox refuses: the user saw each alert once.
        var third = NewOwner();
        await third.TakeOverAsync(7);
        Assert.Null(third.Engine.Held.NextDue);
        Assert.Empty(await third.ReceiveAsync(7.1, Shell("mac-1", T(0), "s"), Curl("mac-1", T(2), "c")));
        Assert.Empty(await third.ReleaseDueAsync(60));
        Assert.Equal(3, topic.Records.Count);
    }

    [Fact]
    public async Task AStateAPreviousOwnerLeftHeldIsReleasedTheLatenessAfterTheTakeOverWhenNothingMoreArrives()
    {
        var first = NewOwner();
        await first.ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await first.ReceiveAsync(2, Curl("mac-1", T(2), "c"));

        var second = NewOwner();
        await second.TakeOverAsync(2.5);
        Assert.Empty(await second.ReleaseDueAsync(5.4));
        Assert.Equal(["missing:s,c", "plain:s,c", "until:s,c"], await second.ReleaseDueAsync(5.5));
        Assert.Empty(store.Held[0]);
    }

    [Fact]
    public async Task AReleaseWhoseWriteFailedIsRetriedFromTheStoreAndReportsTheSameEvents()
    {
        var owner = NewOwner();
        await owner.ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await owner.ReceiveAsync(2, Curl("mac-1", T(2), "c"));

        store.FailWrites = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => owner.ReleaseDueAsync(5));
        store.FailWrites = false;

        // The alerts of the failed attempt were published before the write: the retry derives the same evidence, so
        // the same alert ids, which the outbox refuses to publish twice; and the held set is emptied this time.
        Assert.Equal(3, topic.Records.Count);
        Assert.Empty(await owner.ReleaseDueAsync(5.1));
        Assert.Equal(3, topic.Records.Count);
        Assert.Empty(store.Held[0]);
        Assert.Null(owner.Engine.Held.NextDue);
    }

    [Fact]
    public async Task AnEventArrivingWithinTheLatenessAfterAnEarlyReportRaisesNoSecondAlertForTheSameShell()
    {
        var early = AnalyticPack.Load(Analytic, Path.Combine(AppContext.BaseDirectory, "files", "watermark_pack"), new EngineDefaults(Lateness) { ReportEarly = true });
        var owner = NewOwner(early);

        Assert.Empty(await owner.ReceiveAsync(0, Shell("mac-1", T(0), "s")));
        Assert.Equal(["plain:s,c3"], await owner.ReceiveAsync(2, Curl("mac-1", T(2), "c3")));

        // A connection curl made at 1 s reaches the correlator at 2.5 s: on the sorted stream the shell's sequence ends
        // with it. The plain rule reported that shell's sequence already; the rules that wait report the sorted stream's.
        Assert.Empty(await owner.ReceiveAsync(2.5, Curl("mac-1", T(1), "c2")));
        Assert.Equal(["missing:s,c2", "until:s,c2"], await owner.ReleaseDueAsync(5));
        Assert.Equal(3, topic.Records.Count);
    }

    private static DateTimeOffset At(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1_000_000) + TimeSpan.FromSeconds(seconds);

    private static long T(double seconds) => T0 + Seconds(seconds);

    /// <summary>The installer's shell ending.</summary>
    private static Vigil.Contracts.Telemetry.TelemetryEvent Exit(string host, long timestamp, string id)
    {
        var e = Shell(host, timestamp, id);
        e.Event.Type.Clear();
        e.Event.Type.Add("end");
        e.Event.Action = "exit";
        return e;
    }

    private string RuleId(string label) => pack.Rules.Single(r => Label(r) == label).RuleId;

    private static string Label(CompiledRule rule) => rule.RuleId[^1] switch
    {
        '1' => "plain",
        '2' => "until",
        _ => "missing",
    };

    private Owner NewOwner(AnalyticPack? rules = null) => new(
        this,
        new OwnedStates(store, clock),
        new CorrelationEngine(rules ?? pack, clock, metrics),
        new EventRouter(rules ?? pack, metrics),
        new AlertOutbox(topic, log: null, memory),
        new MatchTriage(new AlertFactory(clock, "correlator/watermark-tests")));

    /// <summary>
    /// One correlator process over the shared store and alert memory, driven as <see cref="CorrelationHandler"/> drives
    /// its parts; each step returns the alerts it published, as rule:evidence.
    /// </summary>
    private sealed record Owner(HeldReleaseTests Test, OwnedStates States, CorrelationEngine Engine, EventRouter Router, AlertOutbox Outbox, MatchTriage Triage)
    {
        public async Task<List<string>> ReceiveAsync(double at, params Vigil.Contracts.Telemetry.TelemetryEvent[] events)
        {
            Test.clock.Now = At(at);
            var batch = Router.Route(Records(0, events));
            var loaded = await States.LoadAsync(batch.Work.Select(w => (w.Key, w.Value.Partition.Partition)).ToList());
            Engine.Advance(batch, loaded);
            var published = await PublishAsync(batch);
            await States.CommitAsync(Engine.Seal(batch), batch.HeldChanges);
            return published;
        }

        public async Task<List<string>> ReleaseDueAsync(double at)
        {
            Test.clock.Now = At(at);
            var taken = Engine.Held.TakeDue(Test.clock.GetUtcNow());
            if (taken.Count == 0)
            {
                return [];
            }

            var batch = new CorrelationBatch();
            try
            {
                Engine.Release(batch, taken, await States.LoadAsync(taken.Select(t => (t.Key, t.Partition.Partition)).ToList()));
                var published = await PublishAsync(batch);
                await States.CommitAsync(Engine.Seal(batch), batch.HeldChanges);
                return published;
            }
            catch
            {
                Engine.Held.Restore(taken);
                States.Forget(taken.Select(t => t.Key));
                throw;
            }
        }

        public async Task TakeOverAsync(double at)
        {
            Test.clock.Now = At(at);
            var rules = Test.pack.Rules.ToDictionary(StateKey.RuleTag, StringComparer.Ordinal);
            foreach (var (_, key) in await States.HeldByPreviousOwnerAsync([0], rules))
            {
                Engine.Held.Update(key, Partition0, holds: true, newestBuffered: null, Test.clock.GetUtcNow());
            }
        }

        private async Task<List<string>> PublishAsync(CorrelationBatch batch)
        {
            var candidates = batch.Matches.Select(m => (Label: $"{Label(m.Rule)}:{string.Join(",", m.Match.Events.Select(e => e.Event.Id))}", Alert: Triage.Judge(m.Rule, m.Match))).ToList();
            var result = await Outbox.PublishOnceAsync(candidates.Select(c => c.Alert).ToList(), [0], CancellationToken.None);
            var published = result.Published.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
            return candidates.Where(c => published.Contains(c.Alert.Alert.Id)).Select(c => c.Label).Order(StringComparer.Ordinal).ToList();
        }
    }
}
