using Prometheus;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>
/// Prometheus metrics of a correlator (documented in docs/operations.md); per-rule ones carry rule and rule_name.
/// One instance per host, in the host's registry.
/// </summary>
public sealed class CorrelatorMetrics
{
    /// <summary>Rule id → rule name, for the rule_name label of this correlator's per-rule series.</summary>
    private readonly RuleNames names = new();

    public CorrelatorMetrics(IMetricFactory factory)
    {
        RelevantEvents = new(names, factory.CreateCounter(
            "vigil_correlator_relevant_events_total", "Events that could touch a rule's state (others cost no Redis work).", ["analytic", "rule", "rule_name"]));

        LateEvents = new(names, factory.CreateCounter(
            "vigil_correlator_late_events_total", "Events older than what matching had already passed (replays or lateness exceeded).", ["analytic", "rule", "rule_name"]));

        Rejected = new(names, factory.CreateCounter(
            "vigil_correlator_rejected_partials_total",
            "Partial sequences a rule threw away, by reason: maxspan, until, overwrite (a newer partial took its state), state_limit (evicted to keep a host's state bounded), missing_event (the absent event occurred).", ["analytic", "rule", "rule_name", "reason"]));
        ExceptedEvents = new(names, factory.CreateCounter(
            "vigil_correlator_excepted_events_total", "Events a rule could use that its exceptions removed before its state saw them.", ["analytic", "rule", "rule_name"]));

        Matches = new(names, factory.CreateCounter(
            "vigil_correlator_matches_total", "Completed sequences or single-event matches.", ["analytic", "rule", "rule_name"]));

        AlertsPublished = new(names, factory.CreateCounter(
            "vigil_alerts_published_total", "Alerts published to the alert topic.", ["analytic", "rule", "rule_name"]));

        AlertsDropped = new(names, factory.CreateCounter(
            "vigil_alerts_dropped_total", "Matches not published: why=duplicate (a replayed alert id) or why=suppressed (inside the rule's alert suppression window).", ["analytic", "rule", "rule_name", "why"]));

        RedisRoundTrips = factory.CreateCounter(
            "vigil_correlator_redis_round_trips_total", "Pipelined Redis round trips (a batch of hot hosts without alerts costs one: the write).", ["analytic"]);

        StateEvictions = new(names, factory.CreateCounter(
            "vigil_correlator_state_evictions_total", "Threshold groups or new-terms combinations dropped to keep a rule's state within its cap.", ["analytic", "rule", "rule_name"]));

        StateReads = factory.CreateCounter(
            "vigil_correlator_state_reads_total",
            "States a batch or an assignment needed that memory did not hold: source=redis (read from Redis) or source=known_empty (an empty state past its retention, which Redis does not hold, started over without a read).", ["analytic", "source"]);

        LiveStates = factory.CreateGauge(
            "vigil_correlator_live_states", "(rule, host) states of owned partitions kept in memory (written through to Redis).", ["analytic"]);

        HeldHosts = factory.CreateGauge(
            "vigil_correlator_hosts_with_held_events", "Hosts whose newest events wait for the lateness window before matching.", ["analytic"]);
    }

    public RuleCounter RelevantEvents { get; }

    public RuleCounter LateEvents { get; }

    public RuleCounter Rejected { get; }

    public RuleCounter ExceptedEvents { get; }

    public RuleCounter Matches { get; }

    public RuleCounter AlertsPublished { get; }

    public RuleCounter AlertsDropped { get; }

    public Counter RedisRoundTrips { get; }

    public RuleCounter StateEvictions { get; }

    public Counter StateReads { get; }

    public Gauge LiveStates { get; }

    public Gauge HeldHosts { get; }

    /// <summary>
    /// Names <paramref name="pack"/>'s rules for the rule_name label and creates each rule's series at zero, so a
    /// dashboard's increase() sees the first event of every rule; returns the pack.
    /// </summary>
    public AnalyticPack ForPack(AnalyticPack pack)
    {
        names.Remember(pack);
        foreach (var rule in pack.Rules)
        {
            foreach (var counter in new[] { RelevantEvents, LateEvents, ExceptedEvents, Matches, AlertsPublished, StateEvictions })
            {
                counter.WithLabels(pack.Analytic, rule.RuleId);
            }

            foreach (var reason in new[] { "maxspan", "until", "overwrite", "state_limit", "missing_event" })
            {
                Rejected.WithLabels(pack.Analytic, rule.RuleId, reason);
            }
        }

        return pack;
    }
}
