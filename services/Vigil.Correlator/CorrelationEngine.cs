using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>
/// The matching step of the route, with no I/O: runs each state's queued events through its rule's sequence engine
/// (or moves a quiet state's watermark), collects matches and changed states, tracks which states hold back events,
/// and seals the changes into the bytes to store. Counts, per rule, what the engines reject (maxspan, until,
/// overwrite, state_limit, missing_event) in vigil_correlator_rejected_partials_total and events that came too late.
/// </summary>
public sealed class CorrelationEngine
{
    // State outlives its window by this much, so a slow batch never finds it expired mid-sequence.
    public static readonly TimeSpan ProcessingSlack = TimeSpan.FromMinutes(1);

    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly StateLimitLog stateLimitLog = new();
    private readonly Dictionary<CompiledRule, RuleCounters> counters;

    public CorrelationEngine(AnalyticPack pack, TimeProvider clock, CorrelatorMetrics metrics, ILogger<CorrelationEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(metrics);
        this.clock = clock;
        this.logger = logger ?? NullLogger<CorrelationEngine>.Instance;
        counters = pack.Rules.ToDictionary(r => r, r => new RuleCounters(metrics, pack.Analytic, r.RuleId), ReferenceEqualityComparer.Instance as IEqualityComparer<CompiledRule>);
    }

    /// <summary>States whose newest events wait for the lateness window.</summary>
    internal HeldHosts Held { get; } = new();

    /// <summary>Runs the batch's queued events through their loaded <paramref name="states"/>.</summary>
    public void Advance(CorrelationBatch batch, IReadOnlyDictionary<StateKey, HostState<TelemetryEvent>> states)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(states);
        var now = clock.GetUtcNow();
        foreach (var (key, work) in batch.Work)
        {
            var state = states[key];
            var engine = key.Rule.Engine;
            if (work.Events.Count > 0)
            {
                // The router keyed the state by its events' host.id, so one check per state stands in for the engine's
                // per-event one: a stored state that names another host is refused, as the first event would refuse it.
                engine.RequireStateOf(state, key.HostId);
            }

            for (var i = 0; i < work.Events.Count; i++)
            {
                // The router keyed the state by the event's host.id: the engine need not read it again.
                Collect(batch, key, state, engine.ProcessOfHost(state, work.Events[i], work.Classifications[i]));
            }

            // A match awaiting a trailing missing-event window holds the host like a buffered event does.
            if (Held.Update(key, work.Partition, state.HoldsBackMatches, state.NewestBuffered, now) is { } change)
            {
                batch.HeldChanges.Add(change);
            }
        }
    }

    /// <summary>
    /// Releases states taken out of <see cref="Held"/>. One due by arrival time releases its buffer through the position
    /// whose events have waited the lateness since they arrived (nothing before it can still arrive); one quiet for the
    /// lateness, or of a revoked partition, releases everything it holds. States still holding events or awaiting a
    /// missing-event window go back to <see cref="Held"/>.
    /// </summary>
    internal void Release(CorrelationBatch batch, IReadOnlyList<HeldState> taken, IReadOnlyDictionary<StateKey, HostState<TelemetryEvent>> states)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(taken);
        var now = clock.GetUtcNow();
        for (var i = 0; i < taken.Count; i++)
        {
            var entry = taken[i];
            var key = entry.Key;
            var state = states[key];
            batch.Partitions.Add(entry.Partition.Partition);
            if (entry.Quiet && state.LatestTimestamp is { } latest)
            {
                // The host stayed quiet for the whole lateness window. The clock minus the lateness also ends trailing
                // missing-event windows that closed since the host's last event.
                var clockWatermark = (now - key.Rule.Engine.Options.Lateness).ToUnixTimeMilliseconds() * 1_000_000;
                Collect(batch, key, state, key.Rule.Engine.AdvanceWatermark(state, Math.Max(latest + 1, clockWatermark)));
            }
            else if (entry.Through is { } through)
            {
                Collect(batch, key, state, key.Rule.Engine.ReleaseThrough(state, through));
            }

            if (state.HoldsBackMatches)
            {
                // Events that arrived within the lateness, or a missing-event window still open: due again later.
                Held.Keep(entry, now);
            }
            else
            {
                Held.Drop(key);
                batch.HeldChanges.Add(new HeldChange(entry.Partition.Partition, key, false));
            }
        }
    }

    /// <summary>
    /// The field changes of every changed state (null for one now empty, to delete), each within its rule's byte limit:
    /// what must be evicted to fit is counted as state_limit. A write costs what the batch changed in the state, not
    /// the state's size. The list is the batch's <see cref="CorrelationBatch.Writes"/>.
    /// </summary>
    public List<StateWrite> Seal(CorrelationBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var writes = batch.Writes;
        writes.Clear();
        foreach (var (key, state) in batch.Changed)
        {
            var retention = key.Rule.Engine.StateRetention + ProcessingSlack;
            if (key.Rule.Engine.ExpiresAt(state) is null)
            {
                writes.Add(new StateWrite(key, null, retention, key.Rule.States.Discarded(state)));
                continue;
            }

            var changes = StateFormat.Write(key.Rule, state);
            if (changes.Evicted > 0)
            {
                counters[key.Rule].StateLimit.Inc(changes.Evicted);
                if (stateLimitLog.ShouldLog(key.RuleId, state.HostId, clock.GetUtcNow()))
                {
                    logger.LogWarning(
                        "Rule {Rule} on host {Host} hit its state limit: state over {Limit} bytes, evicted {Evicted} oldest partial sequence(s) (logged once per host per {Window})",
                        key.RuleId, state.HostId, key.Rule.States.MaxStateBytes, changes.Evicted, StateLimitLog.Window);
                }

                if (key.Rule.Engine.ExpiresAt(state) is null)
                {
                    // Evicted down to nothing: the key is deleted, as for any state left empty, and the state's next write
                    // sets every field afresh. The field changes are not sent; their pooled arrays go back once the
                    // deletion is stored (they took every array the state had to give back, so Discarded has none).
                    var rest = key.Rule.States.Discarded(state);
                    Debug.Assert(rest is null, "Changes took every pooled array the state had to give back.");
                    writes.Add(new StateWrite(key, null, retention, changes));
                    continue;
                }
            }

            writes.Add(new StateWrite(key, changes, retention));
        }

        return writes;
    }

    private void Collect(CorrelationBatch batch, StateKey key, HostState<TelemetryEvent> state, MatchResult<TelemetryEvent> result)
    {
        if (result.StateChanged)
        {
            batch.Changed[key] = state;
        }

        // Most results (an event buffered, nothing thrown away) count nothing: the rule's counters are looked up only
        // for those that do.
        var rejections = result.Rejections;
        if (result.LateEvents > 0)
        {
            counters[key.Rule].Late.Inc(result.LateEvents);
        }

        if (rejections.Total > 0)
        {
            var rule = counters[key.Rule];
            rule.MaxSpan.Inc(rejections.MaxSpan);
            rule.Until.Inc(rejections.Until);
            rule.Overwrite.Inc(rejections.Overwritten);
            rule.StateLimit.Inc(rejections.StateLimit);
            rule.MissingEvent.Inc(rejections.MissingEvent);
            if (rejections.StateLimit > 0 && stateLimitLog.ShouldLog(key.RuleId, state.HostId, clock.GetUtcNow()))
            {
                logger.LogWarning(
                    "Rule {Rule} on host {Host} hit its state limit: evicted {Evicted} pending partial sequence(s), oldest first (logged once per host per {Window})",
                    key.RuleId, state.HostId, rejections.StateLimit, StateLimitLog.Window);
            }
        }

        // Indexed: a foreach over the IReadOnlyList interface allocates an enumerator for every result holding matches.
        var matches = result.Matches;
        for (var i = 0; i < matches.Count; i++)
        {
            batch.Matches.Add((key.Rule, matches[i]));
        }
    }

    /// <summary>A rule's counters, resolved once so counting allocates nothing per event.</summary>
    private sealed class RuleCounters(CorrelatorMetrics metrics, string analytic, string rule)
    {
        public Prometheus.Counter.Child Late { get; } = metrics.LateEvents.WithLabels(analytic, rule);

        public Prometheus.Counter.Child MaxSpan { get; } = metrics.Rejected.WithLabels(analytic, rule, "maxspan");

        public Prometheus.Counter.Child Until { get; } = metrics.Rejected.WithLabels(analytic, rule, "until");

        public Prometheus.Counter.Child Overwrite { get; } = metrics.Rejected.WithLabels(analytic, rule, "overwrite");

        public Prometheus.Counter.Child StateLimit { get; } = metrics.Rejected.WithLabels(analytic, rule, "state_limit");

        public Prometheus.Counter.Child MissingEvent { get; } = metrics.Rejected.WithLabels(analytic, rule, "missing_event");
    }
}
