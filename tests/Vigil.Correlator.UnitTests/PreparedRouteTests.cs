using Vigil.Contracts.Telemetry;
using Vigil.Correlator.UnitTests.Support;
using Vigil.Detection;
using Vigil.Messaging;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

/// <summary>
/// A record the consume thread prepared (<see cref="EventRouter.Prepare"/>) is routed as the handler routes an unprepared
/// one: the same states get the same events with the same classifications (steps and until), the same aggregation work
/// and matches, and the same relevant and excepted counts; a pack too large to prepare for is routed as before.
/// </summary>
public sealed class PreparedRouteTests
{
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));

    [Fact]
    public void EveryRuleOfAThreeRulePackGetsAPreparedRecordAsItGetsOneTheHandlerRoutesItself()
    {
        var pack = Load("three_rule_pack", "three-rule-tests");
        var router = new EventRouter(pack, metrics);

        var routed = Describe(router.Route(Records(0, Events())));
        var counts = Counts(pack);
        var prepared = Prepare(router, Events());
        var preparedRoute = Describe(router.Route(prepared));

        Assert.All(prepared, r => Assert.NotEqual(0UL, r.Preparation));
        Assert.Equal(routed, preparedRoute);
        Assert.Equal(counts.Select(c => (c.Relevant * 2, c.Excepted * 2)), Counts(pack));
        // What the comparison covers: the until clause's event (bit 63), the exception, the threshold rule's work.
        Assert.Contains("x1 until", routed);
        Assert.Contains(counts, c => c.Excepted > 0);
        Assert.Contains("aggregation", routed);
    }

    [Fact]
    public void APackOfMoreRulesThanANoteHoldsIsRoutedOnTheHandlerThreadAsBefore()
    {
        var pack = Load("four_rule_pack", "four-rule-tests");
        var router = new EventRouter(pack, metrics);

        var routed = Describe(router.Route(Records(0, Events())));
        var prepared = Prepare(router, Events());

        Assert.All(prepared, r => Assert.Equal(0UL, r.Preparation));
        Assert.Equal(routed, Describe(router.Route(prepared)));
        Assert.Contains("match", routed);
    }

    private static AnalyticPack Load(string folder, string analytic) =>
        AnalyticPack.Load(analytic, Path.Combine(AppContext.BaseDirectory, "files", folder), RoutePack.Lateness);

    private static TelemetryEvent[] Events() =>
    [
        Shell("mac-1", T0, "s1"),
        Shell("mac-1", T0 + Seconds(1), "s2", user: "svc"),
        Curl("mac-1", T0 + Seconds(2), "c1"),
        Exit(Shell("mac-1", T0 + Seconds(3), "x1")),
        Noise("mac-2", T0 + Seconds(3), "n1"),
        Curl("mac-2", T0 + Seconds(4), "c2", user: "svc"),
        Curl("", T0 + Seconds(5), "c3"),
    ];

    private static TelemetryEvent Exit(TelemetryEvent e)
    {
        e.Event.Type.Clear();
        e.Event.Type.Add("end");
        return e;
    }

    /// <summary>The records of <paramref name="events"/>, each with the note <paramref name="router"/> prepares for it, as the consume loop hands them over.</summary>
    internal static List<ConsumedRecord<TelemetryEvent>> Prepare(EventRouter router, TelemetryEvent[] events) =>
        Records(0, events).Select(r => r with { Preparation = router.Prepare(r.Value) }).ToList();

    private List<(int Relevant, int Excepted)> Counts(AnalyticPack pack) =>
        pack.Rules.Select(r => ((int)metrics.RelevantEvents.WithLabels(pack.Analytic, r.RuleId).Value, (int)metrics.ExceptedEvents.WithLabels(pack.Analytic, r.RuleId).Value)).ToList();

    /// <summary>Each state's events with their classification (steps in hex, "until" for the until clause), the aggregation work and the matches.</summary>
    internal static string Describe(CorrelationBatch batch) => string.Join(
        "\n",
        batch.Work.OrderBy(w => w.Key.Member, StringComparer.Ordinal)
            .Select(w => $"{w.Key.Member}: " + string.Join(' ', w.Value.Events.Zip(w.Value.Classifications, (e, c) => $"{e.Event.Id} {Bits(c)}")))
            .Concat(batch.Aggregations.Select(a => $"aggregation {a.Rule.RuleId} {a.Event.Event.Id}"))
            .Concat(batch.Matches.Select(m => $"match {m.Rule.RuleId} {string.Join(' ', m.Match.Events.Select(e => e.Event.Id))}"))
            .Append($"partitions {string.Join(',', batch.Partitions)}"));

    private static string Bits(Vigil.Eql.EventClassification classification)
    {
        Assert.True(classification.TryPack(64, out var bits));
        return (bits >> 63 != 0 ? "until " : string.Empty) + $"steps {bits & ~(1UL << 63):x}";
    }
}
