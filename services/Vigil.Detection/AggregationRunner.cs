using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Detection;

/// <summary>
/// Runs one threshold or new_terms rule in memory (the backtest's counterpart of the correlator's Redis state), with
/// the same <see cref="ThresholdAggregation"/> / <see cref="NewTermsAggregation"/> logic. State is capped per rule at
/// <see cref="Capacity"/> groups or combinations; the least recently used are evicted and counted.
/// </summary>
public sealed class AggregationRunner
{
    public const int DefaultCapacity = 100_000;

    private readonly CompiledRule rule;
    private readonly AggregationAlerts alerts;
    private readonly BoundedStateTable<JoinKey, ThresholdGroup> groups;
    private readonly BoundedStateTable<JoinKey, long> lastSeen;
    private long? learningSince;

    public AggregationRunner(CompiledRule rule, AggregationAlerts alerts, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!rule.IsAggregation)
        {
            throw new ArgumentException($"Rule {rule.RuleId} is not a threshold or new_terms rule.", nameof(rule));
        }

        this.rule = rule;
        this.alerts = alerts;
        Capacity = capacity;
        groups = new BoundedStateTable<JoinKey, ThresholdGroup>(capacity);
        lastSeen = new BoundedStateTable<JoinKey, long>(capacity);
    }

    public int Capacity { get; }

    /// <summary>Groups or combinations dropped to stay within <see cref="Capacity"/>.</summary>
    public long Evictions => groups.Evictions + lastSeen.Evictions;

    /// <summary>Feeds one event that matched the rule's query (and passed its exceptions); returns the verdicts it produces.</summary>
    public IReadOnlyList<PendingAlert> Process(TelemetryEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        List<PendingAlert>? verdicts = null;
        if (this.rule.Threshold is { } threshold)
        {
            foreach (var terms in threshold.Groups.Of(e))
            {
                if (!groups.TryGet(terms, out var group))
                {
                    group = new ThresholdGroup();
                }

                var crossing = threshold.Add(group, terms, e);
                groups.Set(terms, group);
                if (crossing is not null)
                {
                    (verdicts ??= []).Add(this.alerts.Threshold(this.rule, crossing));
                }
            }
        }
        else if (this.rule.NewTerms is { } newTerms)
        {
            var time = newTerms.Clock.TimeOf(e);
            learningSince ??= time;
            var learning = newTerms.IsLearning(learningSince.Value, time);
            foreach (var combination in newTerms.Terms.Of(e))
            {
                long? seen = lastSeen.TryGet(combination, out var last) ? last : null;
                if (!learning && newTerms.IsNew(seen, time))
                {
                    (verdicts ??= []).Add(this.alerts.NewTerm(this.rule, combination, e));
                }

                lastSeen.Set(combination, Math.Max(seen ?? long.MinValue, time));
            }
        }

        return verdicts ?? (IReadOnlyList<PendingAlert>)[];
    }
}
