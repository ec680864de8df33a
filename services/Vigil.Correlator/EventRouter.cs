using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql;
using Vigil.Messaging;
using Vigil.Rules;

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

    /// <summary>
    /// Works out on the consume thread, right after <paramref name="e"/> was decoded, what <see cref="Route"/> would ask of
    /// it first: which rules it is relevant to, whether their exceptions remove it, and which of their steps it
    /// satisfies (see <see cref="IRecordPreparer{T}"/>). Reads only the pack, which nothing changes. 0 (unprepared, routed
    /// as before) for a pack of more than <see cref="PreparedRules"/> rules or steps that do not fit.
    /// </summary>
    public ulong Prepare(TelemetryEvent e)
    {
        if (rules.Count > PreparedRules)
        {
            return 0;
        }

        var prepared = PreparedFlag;
        foreach (var r in pack.Index.Candidates(e))
        {
            var input = rules[r].Admit(e, out var classification, out _);
            if (input == RuleInput.Irrelevant)
            {
                continue;
            }

            if (!classification.TryPack(ClassificationBits, out var bits))
            {
                return 0;
            }

            prepared |= ((input == RuleInput.Excepted ? TakenExcepted : TakenAdmitted) | bits << InputBits) << (r * RuleBits);
        }

        return prepared;
    }

    /// <summary>The most rules a pack may have for its records to be prepared on the consume thread (<see cref="Prepare"/>).</summary>
    public const int PreparedRules = 3;

    // A prepared record: the top bit set, then from bit 0 RuleBits per rule, each two for the rule's input (none: the
    // event is irrelevant to it) and the rule's packed classification.
    private const ulong PreparedFlag = 1UL << 63;
    private const int InputBits = 2;
    private const int ClassificationBits = 19;
    private const int RuleBits = InputBits + ClassificationBits;
    private const ulong TakenAdmitted = 1;
    private const ulong TakenExcepted = 2;

    private void RouteInto(IReadOnlyList<ConsumedRecord<TelemetryEvent>> records, CorrelationBatch batch)
    {
        var lastPartition = int.MinValue;
        var preparable = rules.Count <= PreparedRules;
        var takenMask = preparable ? TakenMask(rules.Count) : 0;
        for (var i = 0; i < records.Count; i++)
        {
            if (preparable)
            {
                PrefetchAhead(records, i, takenMask);
            }

            var record = records[i];
            // The event's host.id, read once for all the sequence rules that take the event (every rule reads the same
            // field, HostId, so one read serves them all).
            string? host = null;
            if (record.Partition != lastPartition)
            {
                // A batch holds runs of records per partition: one set lookup per run, not per record.
                batch.Partitions.Add(record.Partition);
                lastPartition = record.Partition;
            }

            var prepared = record.Preparation;
            if (preparable && (prepared & PreparedFlag) != 0)
            {
                // The consume thread classified it (Prepare): the rules it is relevant to, in the order Candidates gives.
                for (var r = 0; r < rules.Count; r++)
                {
                    var part = prepared >> (r * RuleBits);
                    var taken = part & 3;
                    if (taken != 0)
                    {
                        var input = taken == TakenExcepted ? RuleInput.Excepted : RuleInput.Admitted;
                        Take(record, r, input, EventClassification.Unpack(part >> InputBits, ClassificationBits), null, ref host, batch);
                    }
                }

                continue;
            }

            // Only the rules the pack's index says the event may be relevant to; each classifies it once.
            foreach (var r in pack.Index.Candidates(record.Value))
            {
                var input = rules[r].Admit(record.Value, out var classification, out var exception);
                if (input != RuleInput.Irrelevant)
                {
                    Take(record, r, input, classification, exception, ref host, batch);
                }
            }
        }
    }

    // How many records ahead RouteInto starts loading a record, then the event of one a rule takes, then its host, then
    // the host's id: each stage reads a reference the stage before loaded, so none of them waits for memory itself.
    private const int RecordDistance = 12;
    private const int EventDistance = 6;
    private const int HostDistance = 3;
    private const int HostIdDistance = 1;

    // The bits of a prepared record that say a rule takes it, for packs of `count` rules.
    private static ulong TakenMask(int count)
    {
        var mask = 0UL;
        for (var r = 0; r < count; r++)
        {
            mask |= (TakenAdmitted | TakenExcepted) << (r * RuleBits);
        }

        return mask;
    }

    /// <summary>
    /// Starts loading what routing reads of the records a few places ahead (<see cref="CachePrefetch"/>): the handler
    /// reads a batch well after the consume thread decoded it, on another core, so each record's first touch here
    /// waited for memory. Only records the consume thread prepared and some rule takes go past the record itself.
    /// </summary>
    private static void PrefetchAhead(IReadOnlyList<ConsumedRecord<TelemetryEvent>> records, int i, ulong takenMask)
    {
        if (i + RecordDistance < records.Count)
        {
            CachePrefetch.Object(records[i + RecordDistance]);
        }

        if (i + EventDistance < records.Count && Taken(records[i + EventDistance], takenMask) is { } e)
        {
            CachePrefetch.Object(e, 2);
        }

        if (i + HostDistance < records.Count && Taken(records[i + HostDistance], takenMask) is { } h)
        {
            CachePrefetch.Object(h.Host);
        }

        if (i + HostIdDistance < records.Count && Taken(records[i + HostIdDistance], takenMask)?.Host is { } host)
        {
            CachePrefetch.Object(host.Id);
        }
    }

    private static TelemetryEvent? Taken(ConsumedRecord<TelemetryEvent> record, ulong takenMask) =>
        (record.Preparation & PreparedFlag) != 0 && (record.Preparation & takenMask) != 0 ? record.Value : null;

    /// <summary>Sends <paramref name="record"/> to rule <paramref name="r"/>, to which it is relevant.</summary>
    private void Take(ConsumedRecord<TelemetryEvent> record, int r, RuleInput input, EventClassification classification, ExceptionHit? exception, ref string? host, CorrelationBatch batch)
    {
        var rule = rules[r];
        relevantCounts[r]++;
        if (input == RuleInput.Excepted)
        {
            // Removed before the engine, as Elastic filters the events a rule searches: no state is touched.
            exceptedCounts[r]++;
            if (logger.IsEnabled(LogLevel.Debug))
            {
                // Guarded: the call's argument array would be allocated per excepted event even with Debug off. A record
                // prepared on the consume thread carries no exception name: it is found again here.
                exception ??= rule.Exceptions.FindException(record.Value);
                logger.LogDebug("Exception '{Exception}' removes event {Event} from {Rule}", exception?.Name, record.Value.Event?.Id, rule.RuleId);
            }

            return;
        }

        if (rule.IsStateful && !rule.IsAggregation)
        {
            // A sequence engine holds the event as its payload (TelemetryEventCodec) and decodes it whole only for an
            // alert, so the event is not completed here.
            var key = KeyOf(r, rule, host ??= rule.Engine.HostOf(record.Value));
            batch.WorkFor(key, record.TopicPartition).Add(record.Value, classification, record.TopicPartition);
            return;
        }

        // Decoded with only the fields the rules read; whatever keeps it from here on (aggregation, alerts) sees it whole.
        record.Value.Complete();
        if (rule.IsAggregation)
        {
            batch.Aggregations.Add(new AggregationWork(rule, record.Value));
            return;
        }

        // Single-event rules need no state: they match without a Redis read.
        if (rule.Engine.MatchEvent(record.Value, classification) is { } match)
        {
            batch.Matches.Add((rule, match));
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
