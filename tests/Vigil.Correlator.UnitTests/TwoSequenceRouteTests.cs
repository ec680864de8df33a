using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Correlator.UnitTests.Support;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

/// <summary>
/// The route of an event several sequence rules take: host.id is read once per event and serves every rule's state key,
/// an exception removes the event from its own rule only, and each rule's relevant and excepted events are counted once
/// per batch, also for a batch that fails partway.
/// </summary>
public sealed class TwoSequenceRouteTests
{
    private const string Analytic = "two-sequence-tests";

    private readonly AnalyticPack pack = AnalyticPack.Load(Analytic, Path.Combine(AppContext.BaseDirectory, "files", "two_sequence_pack"), RoutePack.Lateness);
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
    private readonly ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1_000_000));

    private CompiledRule ByHost => pack.Rules.Single(r => r.RuleId.EndsWith("01", StringComparison.Ordinal));

    private CompiledRule ByUser => pack.Rules.Single(r => r.RuleId.EndsWith("02", StringComparison.Ordinal));

    [Fact]
    public void EachSequenceRuleQueuesAnEventUnderItsHostAndEventsWithAnEmptyOrNoHostIdShareTheEmptyHostsState()
    {
        var batch = new EventRouter(pack, metrics).Route(Records(
            0,
            Shell("mac-1", T0, "s1"),
            Shell("", T0 + Seconds(1), "s2"),
            WithoutHost(Shell("mac-0", T0 + Seconds(2), "s3")),
            Shell("mac-1", T0 + Seconds(3), "s4", user: "svc"),
            Noise("mac-1", T0 + Seconds(4), "n1"),
            Curl("mac-1", T0 + Seconds(5), "c1"),
            Curl("", T0 + Seconds(5), "c2")));

        Assert.Equal(
            new Dictionary<StateKey, string>
            {
                [new StateKey(ByHost, "mac-1")] = "s1 s4 c1",
                [new StateKey(ByHost, "")] = "s2 s3 c2",
                // The svc account's shell is excepted from this rule alone.
                [new StateKey(ByUser, "mac-1")] = "s1 c1",
                [new StateKey(ByUser, "")] = "s2 s3 c2",
            },
            batch.Work.ToDictionary(w => w.Key, w => string.Join(' ', w.Value.Events.Select(e => e.Event.Id))));
        Assert.Empty(batch.Matches);
        Assert.Equal((6, 0), Counts(ByHost));
        Assert.Equal((6, 1), Counts(ByUser));

        // The newer shell overwrites the older one's partial of the same join key. host.id is the by-host rule's join
        // key, so the events without one join none of its sequences; the by-user rule matches them on the empty host's state.
        Assert.Equal(
            [
                $"{ByHost.RuleId} 'mac-1' s4 c1",
                $"{ByUser.RuleId} '' s3 c2",
                $"{ByUser.RuleId} 'mac-1' s1 c1",
            ],
            Matches(batch).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheEventsOfABatchThatFailsPartwayAreCountedOnceAndTheNextBatchCountsOnlyItsOwn()
    {
        // The route pack's single-event rule completes the events it matches: an event whose batch was released fails
        // there, after the events before it were routed (and counted) and before the one after it.
        var routePack = RoutePack.Load();
        var router = new EventRouter(routePack, metrics);
        var released = Released(Shell("mac-9", T0 + 2, "s9"));
        var records = Records(0, Shell("mac-1", T0, "s1"), Curl("mac-1", T0 + 1, "c1"), released, Shell("mac-2", T0 + 3, "s2"));

        Assert.Throws<InvalidOperationException>(() => router.Route(records));

        // The released shell is relevant to both rules; the single-event rule comes first in the pack and throws on it, so
        // the sequence rule never took it.
        Assert.Equal((2, 0), Counts(routePack, routePack.SingleEvent()));
        Assert.Equal((2, 0), Counts(routePack, routePack.Sequence()));

        router.Route(Records(0, Shell("mac-2", T0 + 3, "s2")));
        Assert.Equal((3, 0), Counts(routePack, routePack.SingleEvent()));
        Assert.Equal((3, 0), Counts(routePack, routePack.Sequence()));
    }

    private List<string> Matches(CorrelationBatch batch)
    {
        var engine = new CorrelationEngine(pack, clock, metrics);
        var states = batch.Work.Keys.ToDictionary(k => k, k => k.Rule.Engine.CreateState(k.HostId));
        engine.Advance(batch, states);
        clock.Advance(RoutePack.Lateness);
        var released = new CorrelationBatch();
        engine.Release(released, engine.Held.TakeDue(clock.GetUtcNow()), states);
        return batch.Matches.Concat(released.Matches)
            .Select(m => $"{m.Rule.RuleId} '{m.Match.HostId}' {string.Join(' ', m.Match.Events.Select(e => e.Event.Id))}")
            .ToList();
    }

    [Fact]
    public void RecordsPreparedOnTheConsumeThreadAreRoutedAsTheHandlerRoutesThem()
    {
        var router = new EventRouter(pack, metrics);
        TelemetryEvent[] Events() =>
        [
            Shell("mac-1", T0, "s1"),
            Shell("mac-1", T0 + Seconds(3), "s4", user: "svc"),
            Noise("mac-1", T0 + Seconds(4), "n1"),
            Curl("mac-1", T0 + Seconds(5), "c1"),
            Curl("", T0 + Seconds(5), "c2"),
        ];

        var routed = PreparedRouteTests.Describe(router.Route(Records(0, Events())));
        var handlerCounts = (Counts(ByHost), Counts(ByUser));
        var prepared = PreparedRouteTests.Prepare(router, Events());
        var preparedRoute = PreparedRouteTests.Describe(router.Route(prepared));

        Assert.All(prepared, r => Assert.NotEqual(0UL, r.Preparation));
        Assert.Equal(routed, preparedRoute);
        // The excepted shell is counted as relevant and excepted for the by-user rule either way.
        Assert.Equal((4, 0), handlerCounts.Item1);
        Assert.Equal((4, 1), handlerCounts.Item2);
        Assert.Equal((8, 0), Counts(ByHost));
        Assert.Equal((8, 2), Counts(ByUser));
    }

    private (int Relevant, int Excepted) Counts(CompiledRule rule) => Counts(pack, rule);

    private (int Relevant, int Excepted) Counts(AnalyticPack of, CompiledRule rule) =>
        ((int)metrics.RelevantEvents.WithLabels(of.Analytic, rule.RuleId).Value, (int)metrics.ExceptedEvents.WithLabels(of.Analytic, rule.RuleId).Value);

    private static TelemetryEvent WithoutHost(TelemetryEvent e)
    {
        e.Host = null;
        return e;
    }

    /// <summary>The event decoded selectively, as the consumer does, from a batch since released: completing it throws.</summary>
    private static TelemetryEvent Released(TelemetryEvent whole)
    {
        var parser = new SelectiveTelemetryParser(Vigil.Rules.TelemetrySchemas.FieldsRead());
        var partial = parser.Parse(Google.Protobuf.MessageExtensions.ToByteArray(whole));
        Assert.True(partial.IsPartial);
        parser.ReleasePayloads();
        return partial;
    }
}
