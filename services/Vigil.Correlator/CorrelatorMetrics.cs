using Prometheus;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>Prometheus metrics of a correlator (documented in docs/operations.md).</summary>
internal static class CorrelatorMetrics
{
    public static readonly Counter RelevantEvents = Metrics.CreateCounter(
        "vigil_correlator_relevant_events_total", "Events that could touch a rule's state (others cost no Redis work).", "analytic", "rule");

    public static readonly Counter LateEvents = Metrics.CreateCounter(
        "vigil_correlator_late_events_total", "Events older than what matching had already passed (replays or lateness exceeded).", "analytic", "rule");

    public static readonly Counter Rejected = Metrics.CreateCounter(
        "vigil_correlator_rejected_partials_total",
        "Partial sequences a rule threw away, by reason: maxspan, until, overwrite (a newer partial took its state), state_limit (evicted to keep a host's state bounded), missing_event (the absent event occurred).",
        "analytic", "rule", "reason");
    public static readonly Counter ExceptedEvents = Metrics.CreateCounter(
        "vigil_correlator_excepted_events_total", "Events a rule could use that its exceptions removed before its state saw them.", "analytic", "rule");

    public static readonly Counter Matches = Metrics.CreateCounter(
        "vigil_correlator_matches_total", "Completed sequences or single-event matches.", "analytic", "rule");

    public static readonly Counter AlertsPublished = Metrics.CreateCounter(
        "vigil_alerts_published_total", "Alerts published to the alert topic.", "analytic", "rule");

    public static readonly Counter AlertsDropped = Metrics.CreateCounter(
        "vigil_alerts_dropped_total", "Matches not published: why=duplicate (a replayed alert id) or why=suppressed (inside the rule's alert suppression window).", "analytic", "rule", "why");

    public static readonly Counter RedisRoundTrips = Metrics.CreateCounter(
        "vigil_correlator_redis_round_trips_total", "Pipelined Redis round trips (a batch of hot hosts without alerts costs one: the write).", "analytic");

    public static readonly Counter StateEvictions = Metrics.CreateCounter(
        "vigil_correlator_state_evictions_total", "Threshold groups or new-terms combinations dropped to keep a rule's state within its cap.", "analytic", "rule");

    public static readonly Gauge LiveStates = Metrics.CreateGauge(
        "vigil_correlator_live_states", "(rule, host) states of owned partitions kept in memory (written through to Redis).", "analytic");

    public static readonly Gauge HeldHosts = Metrics.CreateGauge(
        "vigil_correlator_hosts_with_held_events", "Hosts whose newest events wait for the lateness window before matching.", "analytic");
}
