using Prometheus;
using Vigil.Baseline.Alerts;

namespace Vigil.Baseline;

/// <summary>Prometheus metrics of the baseline service (documented in docs/operations.md).</summary>
public sealed class BaselineMetrics(IMetricFactory factory)
{
    public Counter Observations { get; } = factory.CreateCounter(
        "vigil_baseline_observations_total", "Network events evaluated against a profile, by kind (connection, lookup, completion). Other events cost no Redis work.", ["kind"]);

    public Counter ReplayedObservations { get; } = factory.CreateCounter(
        "vigil_baseline_replayed_observations_total", "Observations skipped because their host view already included them (a replay after a crash or rebalance).");

    public Counter UntrainedObservations { get; } = factory.CreateCounter(
        "vigil_baseline_untrained_observations_total", "Observations kept out of learning because they alerted or were anomalous.");

    public Counter AlertsPublished { get; } = WithRuleSeries(factory.CreateCounter(
        "vigil_alerts_published_total", "Alerts published to the alert topic.", ["analytic", "rule", "rule_name"]));

    public Counter AlertsSuppressed { get; } = factory.CreateCounter(
        "vigil_baseline_alerts_suppressed_total", "Repeats of a new-protocol alert for the same image and host inside the suppression window.");

    public Counter WriteConflicts { get; } = factory.CreateCounter(
        "vigil_baseline_write_conflicts_total", "Host updates refused because the host view changed since it was read; the batch is retried.");

    public Counter Maturations { get; } = factory.CreateCounter(
        "vigil_baseline_profiles_matured_total", "Profiles that finished learning.");

    public Counter RedisRoundTrips { get; } = factory.CreateCounter(
        "vigil_baseline_redis_round_trips_total", "Pipelined Redis round trips (a batch with network events costs two, three when it meets an image without a profile; any other batch none).");

    public Gauge ChainCacheEntries { get; } = factory.CreateGauge(
        "vigil_baseline_chain_cache_entries", "Processes remembered for rebuilding process chains.");

    public Counter MemoryLost { get; } = factory.CreateCounter(
        "vigil_baseline_memory_lost_total", "Times the baseline found its Redis memory gone (generation marker missing): every image learns again from immature.");

    public Gauge GenerationStarted { get; } = factory.CreateGauge(
        "vigil_baseline_generation_started_seconds", "Unix time the current generation of the baseline's memory began (all profiles are younger).");

    public Counter HostViewsEvicted { get; } = factory.CreateCounter(
        "vigil_baseline_host_views_evicted_total", "Host views dropped because their host had more than Baseline:MaxHostViewsPerHost (least recently used first).");

    public Counter ProfilesEvicted { get; } = factory.CreateCounter(
        "vigil_baseline_profiles_evicted_total", "Profiles found missing from Redis although their image was seen within the retention (evicted or deleted while the memory marker survived).");

    public Counter AlertsRecovered { get; } = factory.CreateCounter(
        "vigil_baseline_alerts_recovered_total", "Alert ids a previous owner published but had not remembered, found on the alert topic at assignment and not published again.");

    /// <summary>
    /// Creates the labelled series that exist before anything happens, so a dashboard reads 0 (not "no data") from
    /// start-up: one alerts-published series per baseline rule.
    /// </summary>
    private static Counter WithRuleSeries(Counter published)
    {
        var analytic = BaselineRules.AnalyticId.ToLowerInvariant();
        foreach (var rule in new[] { BaselineRules.NewProtocol(false), BaselineRules.Volume(false) })
        {
            published.WithLabels(analytic, rule.Id, rule.Name);
        }

        return published;
    }
}
