using Vigil.Correlator.UnitTests.Support;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

public sealed class EventRouterTests
{
    private readonly Vigil.Detection.AnalyticPack pack = RoutePack.Load();
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));

    [Fact]
    public void EventsNoRuleCanUseReachNoStateAndNoMatch()
    {
        var batch = new EventRouter(pack, metrics).Route(Records(0, Noise("mac-1", T0, "n1"), Noise("mac-2", T0 + 1, "n2")));

        Assert.True(batch.IsEmpty);
        Assert.Equal([0], batch.Partitions);
    }

    [Fact]
    public void ASingleEventRuleMatchesOnTheSpotWhileTheSequenceRuleQueuesTheEventUnderItsHost()
    {
        var batch = new EventRouter(pack, metrics).Route(Records(3, Shell("mac-1", T0, "s1")));

        var (rule, match) = Assert.Single(batch.Matches);
        Assert.Same(pack.SingleEvent(), rule);
        Assert.Equal(["s1"], match.Events.Select(e => e.Event.Id));
        var (key, work) = Assert.Single(batch.Work);
        Assert.Equal(new StateKey(pack.Sequence(), "mac-1"), key);
        Assert.Equal(3, work.Partition.Partition);
        Assert.Equal(["s1"], work.Events.Select(e => e.Event.Id));
    }

    [Fact]
    public void EachHostGetsItsOwnStateWithItsEventsInBatchOrder()
    {
        var batch = new EventRouter(pack, metrics).Route(Records(
            1,
            Curl("mac-2", T0 + Seconds(2), "c2"),
            Noise("mac-1", T0, "n1"),
            Curl("mac-1", T0 + Seconds(1), "c1"),
            Shell("mac-2", T0 + Seconds(1), "s2")));

        Assert.Equal(2, batch.Work.Count);
        Assert.Equal(["c1"], batch.Work[new StateKey(pack.Sequence(), "mac-1")].Events.Select(e => e.Event.Id));
        Assert.Equal(["c2", "s2"], batch.Work[new StateKey(pack.Sequence(), "mac-2")].Events.Select(e => e.Event.Id));
    }

    [Fact]
    public void EachRuleCountsEveryEventItCouldUseOncePerBatchRouted()
    {
        var router = new EventRouter(pack, metrics);
        var records = Records(0, Shell("mac-1", T0, "s1"), Noise("mac-1", T0 + 1, "n1"), Curl("mac-1", T0 + Seconds(1), "c1"), Shell("mac-2", T0 + 2, "s2"));
        var expected = pack.Rules.ToDictionary(
            r => r.RuleId,
            r => records.Count(record => r.Admit(record.Value, out _) != Vigil.Detection.RuleInput.Irrelevant));

        router.Route(records);
        var afterOne = pack.Rules.ToDictionary(r => r.RuleId, Relevant);
        router.Route(records);

        Assert.Contains(expected.Values, count => count > 0);
        Assert.Equal(expected, afterOne);
        Assert.Equal(expected.ToDictionary(e => e.Key, e => 2 * e.Value), pack.Rules.ToDictionary(r => r.RuleId, Relevant));
    }

    [Fact]
    public void ASingleEventRuleMatchesARecordPreparedOnTheConsumeThreadOnTheSpot()
    {
        var router = new EventRouter(pack, metrics);
        var record = Records(3, Shell("mac-1", T0, "s1")).Single();
        var prepared = record with { Preparation = router.Prepare(record.Value) };

        var batch = router.Route([prepared]);

        Assert.NotEqual(0UL, prepared.Preparation);
        var (rule, match) = Assert.Single(batch.Matches);
        Assert.Same(pack.SingleEvent(), rule);
        Assert.Equal(["s1"], match.Events.Select(e => e.Event.Id));
        Assert.Equal(["s1"], Assert.Single(batch.Work).Value.Events.Select(e => e.Event.Id));
    }

    [Fact]
    public void AnEventNoRuleCanUseIsPreparedAsGoingNowhere()
    {
        var router = new EventRouter(pack, metrics);
        var record = Records(0, Noise("mac-1", T0, "n1")).Single();

        var batch = router.Route([record with { Preparation = router.Prepare(record.Value) }]);

        Assert.True(batch.IsEmpty);
    }

    [Fact]
    public void AStateKeyNamesItsRuleIdFingerprintAndHostAndParsesBackToTheSameKey()
    {
        var rule = pack.Sequence();
        var key = new StateKey(rule, "mac:1{x}");
        var rules = pack.Rules.ToDictionary(StateKey.RuleTag);

        Assert.Equal($"{rule.RuleId}\u001f{rule.Query.Fingerprint}\u001fmac:1{{x}}", key.Member);
        Assert.Equal(key, StateKey.Parse(key.Member, rules));
        Assert.Equal(key.GetHashCode(), new StateKey(rule, "mac:1{x}").GetHashCode());
        Assert.NotEqual(key, new StateKey(pack.SingleEvent(), "mac:1{x}"));
    }

    [Fact]
    public void AHeldMemberOfAnEditedRuleNamesNoStateToAct()
    {
        var rule = pack.Sequence();
        var edited = $"{rule.RuleId}\u001f0123456789abcdef\u001fmac-1";

        Assert.Null(StateKey.Parse(edited, pack.Rules.ToDictionary(StateKey.RuleTag)));
    }

    private int Relevant(Vigil.Detection.CompiledRule rule) => (int)metrics.RelevantEvents.WithLabels(pack.Analytic, rule.RuleId).Value;
}
