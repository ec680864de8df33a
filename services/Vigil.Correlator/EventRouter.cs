using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>
/// First step of the route, with no I/O: sends each consumed record to the rules that can use it. Events no rule can
/// use, and events a rule's exceptions remove, go nowhere; single-event rules match on the spot (no state needed);
/// sequence rules get the event queued under its (rule, host) <see cref="StateKey"/>; threshold and new_terms rules
/// get it as aggregation work.
/// </summary>
public sealed class EventRouter
{
    private readonly AnalyticPack pack;
    private readonly IReadOnlyList<CompiledRule> rules;
    private readonly ILogger logger;

    // Resolved once: a labelled child looked up per relevant event would allocate on the hot path.
    private readonly Prometheus.Counter.Child[] relevantEvents;
    private readonly Prometheus.Counter.Child[] exceptedEvents;

    // Per rule, the state key of each host seen lately: a host's key is made once, not per batch, and carries what is
    // derived from it once (its member string, its Redis key). Bounded for the whole pack, not per rule (a pack of a
    // hundred rules would otherwise keep millions): past KeyLimit keys in all, every table starts over.
    private readonly Dictionary<string, StateKey>[] stateKeys;
    private int keyCount;

    // Per rule, the relevant and excepted events of the batch being routed: added to the counters once per batch, not
    // per event (an Inc is an interlocked update of a shared value, paid by every relevant event otherwise).
    private readonly long[] relevantCounts;
    private readonly long[] exceptedCounts;

    public EventRouter(AnalyticPack pack, CorrelatorMetrics metrics, ILogger<EventRouter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(metrics);
        this.pack = pack;
        rules = pack.Rules;
        this.logger = logger ?? NullLogger<EventRouter>.Instance;
        relevantEvents = rules.Select(r => metrics.RelevantEvents.WithLabels(pack.Analytic, r.RuleId)).ToArray();
        exceptedEvents = rules.Select(r => metrics.ExceptedEvents.WithLabels(pack.Analytic, r.RuleId)).ToArray();
        stateKeys = rules.Select(_ => new Dictionary<string, StateKey>(StringComparer.Ordinal)).ToArray();
        relevantCounts = new long[rules.Count];
        exceptedCounts = new long[rules.Count];
    }

    /// <summary>How many (rule, host) state keys the router keeps for reuse, over all rules, before it starts over: as many as the states a correlator keeps in memory by default.</summary>
    public const int KeyLimit = OwnedStates.DefaultLimit;

    public CorrelationBatch Route(IReadOnlyList<ConsumedRecord<TelemetryEvent>> records) => Route(records, new CorrelationBatch());

    /// <summary>Routes <paramref name="records"/> into <paramref name="batch"/>, cleared first (a handler reuses one batch).</summary>
    public CorrelationBatch Route(IReadOnlyList<ConsumedRecord<TelemetryEvent>> records, CorrelationBatch batch)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        try
        {
            RouteInto(records, batch);
        }
        finally
        {
            Count();
        }

        return batch;
    }

    private void RouteInto(IReadOnlyList<ConsumedRecord<TelemetryEvent>> records, CorrelationBatch batch)
    {
        var lastPartition = int.MinValue;
        foreach (var record in records)
        {
            // The event's host.id, read once for all the sequence rules that take the event (every rule reads the same
            // field, HostId, so one read serves them all).
            string? host = null;
            if (record.Partition != lastPartition)
            {
                // A batch holds runs of records per partition: one set lookup per run, not per record.
                batch.Partitions.Add(record.Partition);
                lastPartition = record.Partition;
            }

            // Only the rules the pack's index says the event may be relevant to; each classifies it once.
            foreach (var r in pack.Index.Candidates(record.Value))
            {
                var rule = rules[r];
                var input = rule.Admit(record.Value, out var classification, out var exception);
                if (input == RuleInput.Irrelevant)
                {
                    continue;
                }

                relevantCounts[r]++;
                if (input == RuleInput.Excepted)
                {
                    // Removed before the engine, as Elastic filters the events a rule searches: no state is touched.
                    exceptedCounts[r]++;
                    if (logger.IsEnabled(LogLevel.Debug))
                    {
                        // Guarded: the call's argument array would be allocated per excepted event even with Debug off.
                        logger.LogDebug("Exception '{Exception}' removes event {Event} from {Rule}", exception!.Name, record.Value.Event?.Id, rule.RuleId);
                    }
                    continue;
                }

                if (rule.IsStateful && !rule.IsAggregation)
                {
                    // A sequence engine holds the event as its payload (TelemetryEventCodec) and decodes it whole only
                    // for an alert, so the event is not completed here.
                    var key = KeyOf(r, rule, host ??= rule.Engine.HostOf(record.Value));
                    batch.WorkFor(key, record.TopicPartition).Add(record.Value, classification, record.TopicPartition);
                    continue;
                }

                // Decoded with only the fields the rules read; whatever keeps it from here on (aggregation, alerts) sees it whole.
                record.Value.Complete();
                if (rule.IsAggregation)
                {
                    batch.Aggregations.Add(new AggregationWork(rule, record.Value));
                    continue;
                }

                // Single-event rules need no state: they match without a Redis read.
                if (rule.Engine.MatchEvent(record.Value, classification) is { } match)
                {
                    batch.Matches.Add((rule, match));
                }
            }
        }
    }

    private void Count()
    {
        for (var r = 0; r < relevantCounts.Length; r++)
        {
            if (relevantCounts[r] > 0)
            {
                relevantEvents[r].Inc(relevantCounts[r]);
                relevantCounts[r] = 0;
            }

            if (exceptedCounts[r] > 0)
            {
                exceptedEvents[r].Inc(exceptedCounts[r]);
                exceptedCounts[r] = 0;
            }
        }
    }

    private StateKey KeyOf(int position, CompiledRule rule, string host)
    {
        var keys = stateKeys[position];
        if (!keys.TryGetValue(host, out var key))
        {
            if (keyCount >= KeyLimit)
            {
                // Keys are equal by rule and host, so a state held under an older key object is still found.
                foreach (var table in stateKeys)
                {
                    table.Clear();
                }

                keyCount = 0;
            }

            keys[host] = key = new StateKey(rule, host);
            keyCount++;
        }

        return key;
    }
}
