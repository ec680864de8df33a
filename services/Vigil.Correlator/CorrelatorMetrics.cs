using Prometheus;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>Prometheus metrics of a correlator (documented in docs/operations.md); per-rule ones carry rule and rule_name.</summary>
internal static class CorrelatorMetrics
{
    public static readonly RuleCounter RelevantEvents = new(Metrics.CreateCounter(
        "vigil_correlator_relevant_events_total", "Events that could touch a rule's state (others cost no Redis work).", "analytic", "rule", "rule_name"));

    public static readonly RuleCounter LateEvents = new(Metrics.CreateCounter(
        "vigil_correlator_late_events_total", "Events older than what matching had already passed (replays or lateness exceeded).", "analytic", "rule", "rule_name"));

    public static readonly RuleCounter Rejected = new(Metrics.CreateCounter(
        "vigil_correlator_rejected_partials_total",
        "Partial sequences a rule threw away, by reason: maxspan, until, overwrite (a newer partial took its state), state_limit (evicted to keep a host's state bounded), missing_event (the absent event occurred).", "analytic", "rule", "rule_name", "reason"));
    public static readonly RuleCounter ExceptedEvents = new(Metrics.CreateCounter(
        "vigil_correlator_excepted_events_total", "Events a rule could use that its exceptions removed before its state saw them.", "analytic", "rule", "rule_name"));

    public static readonly RuleCounter Matches = new(Metrics.CreateCounter(
        "vigil_correlator_matches_total", "Completed sequences or single-event matches.", "analytic", "rule", "rule_name"));

    public static readonly RuleCounter AlertsPublished = new(Metrics.CreateCounter(
        "vigil_alerts_published_total", "Alerts published to the alert topic.", "analytic", "rule", "rule_name"));

    public static readonly RuleCounter AlertsDropped = new(Metrics.CreateCounter(
        "vigil_alerts_dropped_total", "Matches not published: why=duplicate (a replayed alert id) or why=suppressed (inside the rule's alert suppression window).", "analytic", "rule", "rule_name", "why"));

    public static readonly Counter RedisRoundTrips = Metrics.CreateCounter(
        "vigil_correlator_redis_round_trips_total", "Pipelined Redis round trips (a batch of hot hosts without alerts costs one: the write).", "analytic");

    public static readonly RuleCounter StateEvictions = new(Metrics.CreateCounter(
        "vigil_correlator_state_evictions_total", "Threshold groups or new-terms combinations dropped to keep a rule's state within its cap.", "analytic", "rule", "rule_name"));

    public static readonly Gauge LiveStates = Metrics.CreateGauge(
        "vigil_correlator_live_states", "(rule, host) states of owned partitions kept in memory (written through to Redis).", "analytic");

    public static readonly Gauge HeldHosts = Metrics.CreateGauge(
        "vigil_correlator_hosts_with_held_events", "Hosts whose newest events wait for the lateness window before matching.", "analytic");

    /// <summary>
    /// Names <paramref name="pack"/>'s rules for the rule_name label and creates each rule's series at zero, so a
    /// dashboard's increase() sees the first event of every rule; returns the pack.
    /// </summary>
    public static AnalyticPack ForPack(AnalyticPack pack)
    {
        RuleCounter.Remember(pack);
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
