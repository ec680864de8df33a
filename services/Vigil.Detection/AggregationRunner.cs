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

    private readonly CompiledRule _rule;
    private readonly AggregationAlerts _alerts;
    private readonly BoundedStateTable<JoinKey, ThresholdGroup> _groups;
    private readonly BoundedStateTable<JoinKey, long> _lastSeen;
    private long? _learningSince;

    public AggregationRunner(CompiledRule rule, AggregationAlerts alerts, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!rule.IsAggregation)
        {
            throw new ArgumentException($"Rule {rule.RuleId} is not a threshold or new_terms rule.", nameof(rule));
        }

        _rule = rule;
        _alerts = alerts;
        Capacity = capacity;
        _groups = new BoundedStateTable<JoinKey, ThresholdGroup>(capacity);
        _lastSeen = new BoundedStateTable<JoinKey, long>(capacity);
    }

    public int Capacity { get; }

    /// <summary>Groups or combinations dropped to stay within <see cref="Capacity"/>.</summary>
    public long Evictions => _groups.Evictions + _lastSeen.Evictions;

    /// <summary>Feeds one event that matched the rule's query (and passed its exceptions); returns the verdicts it produces.</summary>
    public IReadOnlyList<PendingAlert> Process(TelemetryEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        List<PendingAlert>? verdicts = null;
        if (_rule.Threshold is { } threshold)
        {
            foreach (var terms in threshold.Groups.Of(e))
            {
                if (!_groups.TryGet(terms, out var group))
                {
                    group = new ThresholdGroup();
                }

                var crossing = threshold.Add(group, terms, e);
                _groups.Set(terms, group);
                if (crossing is not null)
                {
                    (verdicts ??= []).Add(_alerts.Threshold(_rule, crossing));
                }
            }
        }
        else if (_rule.NewTerms is { } newTerms)
        {
            var time = newTerms.Clock.TimeOf(e);
            _learningSince ??= time;
            var learning = newTerms.IsLearning(_learningSince.Value, time);
            foreach (var combination in newTerms.Terms.Of(e))
            {
                long? seen = _lastSeen.TryGet(combination, out var last) ? last : null;
                if (!learning && newTerms.IsNew(seen, time))
                {
                    (verdicts ??= []).Add(_alerts.NewTerm(_rule, combination, e));
                }

                _lastSeen.Set(combination, Math.Max(seen ?? long.MinValue, time));
            }
        }

        return verdicts ?? (IReadOnlyList<PendingAlert>)[];
    }
}
