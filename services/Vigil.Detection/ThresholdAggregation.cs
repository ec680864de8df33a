using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>
/// Streaming threshold: counts the events that match the rule's query per group of threshold.field values over a
/// sliding window of the rule's look-back (the span one of Elastic's scheduled runs searches, <c>from</c>), and reports a
/// group when it holds at least <c>value</c> events and, with <c>cardinality</c>, at least that many distinct values
/// of the cardinality field. A reported group starts counting afresh after the events it counted (Elastic's threshold
/// signal history does the same across runs), so a steady stream alerts once per <c>value</c> new events, not per event.
/// </summary>
public sealed class ThresholdAggregation
{
    /// <summary>Events kept per group as evidence (the newest ones).</summary>
    public const int MaxEvidence = 5;

    private readonly FieldAccessor<TelemetryEvent>? cardinality;

    public ThresholdAggregation(ThresholdSpec spec, TimeSpan window, EventClock clock)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        Groups = new TermCombinations(spec.Fields);
        WindowNanos = window.Ticks * 100;
        Clock = clock;
        if (spec.Cardinality is [var cardinality, ..])
        {
            var schema = TelemetrySchemas.Protobuf;
            this.cardinality = schema.CreateAccessor(schema.Fields.Require(cardinality.Field), cardinality.Field);
        }
    }

    public ThresholdSpec Spec { get; }

    /// <summary>The grouping fields; state lives under the host's hash tag when host.id is one of them.</summary>
    public TermCombinations Groups { get; }

    public long WindowNanos { get; }

    public EventClock Clock { get; }

    /// <summary>How long an idle group's state is worth keeping: after one window nothing in it can count any more.</summary>
    public TimeSpan StateRetention => TimeSpan.FromTicks(WindowNanos / 100);

    /// <summary>Adds one matching event to <paramref name="group"/>; returns the crossing when the group reaches the threshold.</summary>
    public ThresholdCrossing? Add(ThresholdGroup group, JoinKey terms, TelemetryEvent e)
    {
        var time = Clock.TimeOf(e);
        if (time <= group.CountedUntil)
        {
            // Counted by an earlier alert's run already (a late or replayed event).
            return null;
        }

        group.Newest = Math.Max(group.Newest, time);
        var horizon = group.Newest - WindowNanos;
        var at = group.Times.BinarySearch(time);
        group.Times.Insert(at < 0 ? ~at : at, time);
        group.Times.RemoveAll(t => t <= horizon);
        if (group.Times.Count > Spec.Value)
        {
            group.Times.RemoveRange(0, group.Times.Count - (int)Spec.Value);
        }

        if (this.cardinality is not null)
        {
            var values = this.cardinality(e);
            for (var i = 0; i < values.Count; i++)
            {
                var key = values.ItemAt(i).ToString();
                group.Distinct[key] = Math.Max(group.Distinct.GetValueOrDefault(key), time);
            }

            foreach (var stale in group.Distinct.Where(d => d.Value <= horizon).Select(d => d.Key).ToList())
            {
                group.Distinct.Remove(stale);
            }

            var limit = Spec.Cardinality[0].Value;
            if (group.Distinct.Count > limit)
            {
                foreach (var oldest in group.Distinct.OrderBy(d => d.Value).Take(group.Distinct.Count - (int)limit).Select(d => d.Key).ToList())
                {
                    group.Distinct.Remove(oldest);
                }
            }
        }

        group.Evidence.Add(e);
        group.Evidence.RemoveAll(ev => Clock.TimeOf(ev) <= horizon);
        if (group.Evidence.Count > MaxEvidence)
        {
            group.Evidence.RemoveRange(0, group.Evidence.Count - MaxEvidence);
        }

        var countReached = group.Times.Count >= Spec.Value;
        var distinctReached = this.cardinality is null || group.Distinct.Count >= Spec.Cardinality[0].Value;
        if (!countReached || !distinctReached)
        {
            return null;
        }

        var evidence = group.Evidence.OrderBy(Clock.TimeOf).ToList();
        var crossing = new ThresholdCrossing(terms, group.Times.Count, this.cardinality is null ? null : group.Distinct.Count, group.Times[0], group.Newest, evidence);
        group.CountedUntil = group.Newest;
        group.Times.Clear();
        group.Distinct.Clear();
        group.Evidence.Clear();
        return crossing;
    }

    /// <summary>Event time (ns) after which the group holds nothing that can still count; null when it can be dropped now.</summary>
    public long? ExpiresAt(ThresholdGroup group) => group.Newest == 0 ? null : group.Newest + WindowNanos;
}
