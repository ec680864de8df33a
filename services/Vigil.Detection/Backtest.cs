using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Detection;

/// <summary>
/// Runs compiled rules over recorded telemetry in memory with the correlator's code path minus Redis: the same
/// gate in front of each rule (<see cref="CompiledRule.Admit"/>: relevance, then exceptions), one
/// <see cref="InMemorySequenceRunner{TEvent}"/> per rule (host states as the correlator keeps them per rule and host),
/// <see cref="MatchTriage"/> for alerts, and <see cref="AlertRepeats"/> for duplicates and alert suppression. Feed
/// events in arrival order, then call <see cref="Finish"/>.
/// </summary>
public sealed class Backtest
{
    private readonly (CompiledRule Rule, InMemorySequenceRunner<TelemetryEvent> Runner)[] rules;
    private readonly MatchTriage triage;
    private readonly AlertRepeats repeats = new();
    private readonly SignalBudget budget = new();
    private readonly Dictionary<CompiledRule, AggregationRunner> aggregations;

    public Backtest(IReadOnlyList<CompiledRule> rules, AlertFactory alerts)
    {
        ArgumentNullException.ThrowIfNull(rules);
        this.rules = rules.Select(r => (r, new InMemorySequenceRunner<TelemetryEvent>(r.Engine))).ToArray();
        triage = new MatchTriage(alerts);
        var aggregationAlerts = new AggregationAlerts(triage);
        aggregations = rules.Where(r => r.IsAggregation).ToDictionary(r => r, r => new AggregationRunner(r, aggregationAlerts));
    }

    /// <summary>Threshold groups and new-terms combinations evicted to keep each rule's state within its cap.</summary>
    public long StateEvictions => aggregations.Values.Sum(a => a.Evictions);

    public BacktestCounts Counts { get; } = new();

    /// <summary>How many later alerts each reported alert suppressed (Elastic's kibana.alert.suppression.docs_count).</summary>
    public IReadOnlyDictionary<string, long> SuppressedCounts => repeats.SuppressedCounts;

    /// <summary>Feeds one event; returns the alerts the matches it releases produce, in completion order.</summary>
    public IReadOnlyList<Alert> Process(TelemetryEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Counts.Events++;
        List<Alert>? alerts = null;
        foreach (var (rule, runner) in this.rules)
        {
            var input = rule.Admit(e, out var exception);
            if (input == RuleInput.Excepted)
            {
                Counts.Excepted(rule, exception!);
            }

            if (input != RuleInput.Admitted)
            {
                continue;
            }

            if (aggregations.TryGetValue(rule, out var aggregation))
            {
                // Admit already removed excepted events: an aggregation counts only what the rule's query would search.
                foreach (var candidate in aggregation.Process(e))
                {
                    Counts.Matches++;
                    Decide(candidate, ref alerts);
                }

                continue;
            }

            var late = runner.LateEvents;
            var matches = runner.Process(e);
            Counts.LateEvents += runner.LateEvents - late;
            Report(rule, matches, ref alerts);
        }

        return alerts ?? (IReadOnlyList<Alert>)[];
    }

    /// <summary>End of input: releases every event still held back for lateness and returns the alerts that completes.</summary>
    public IReadOnlyList<Alert> Finish()
    {
        List<Alert>? alerts = null;
        foreach (var (rule, runner) in this.rules)
        {
            Report(rule, runner.Flush(), ref alerts);
        }

        return alerts ?? (IReadOnlyList<Alert>)[];
    }

    private void Report(CompiledRule rule, IReadOnlyList<SequenceMatch<TelemetryEvent>> matches, ref List<Alert>? alerts)
    {
        foreach (var match in matches)
        {
            Counts.Matches++;
            Decide(triage.Judge(rule, match), ref alerts);
        }
    }

    private void Decide(PendingAlert candidate, ref List<Alert>? alerts)
    {
        switch (repeats.WhyRepeat(candidate))
        {
            case "duplicate":
                Counts.Repeats++;
                return;
            case "suppressed":
                Counts.Suppressed++;
                return;
        }

        if (!budget.TryTake(candidate))
        {
            Counts.OverMaxSignals++;
            return;
        }

        repeats.Remember(candidate);
        Counts.Alerts++;
        (alerts ??= []).Add(candidate.Alert);
    }
}
