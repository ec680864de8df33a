using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Indexing;
using Vigil.Eql.Sequences;

namespace Vigil.Detection;

/// <summary>
/// Runs compiled rules over recorded telemetry in memory with the correlator's code path minus Redis: the same
/// gate in front of each rule (<see cref="CompiledRule.Admit"/>: relevance, then exceptions), one
/// <see cref="InMemorySequenceRunner{TEvent}"/> per rule (host states as the correlator keeps them per rule and host),
/// <see cref="MatchTriage"/> for alerts, and the services' <see cref="AlertOutbox"/> over an in-memory
/// <see cref="AlertRepeats"/> for duplicates, alert suppression and max_signals. Feed events in arrival order, then call
/// <see cref="Finish"/>.
/// </summary>
public sealed class Backtest
{
    private readonly (CompiledRule Rule, InMemorySequenceRunner<TelemetryEvent> Runner)[] rules;
    private readonly QueryIndex<TelemetryEvent> index;
    private readonly MatchTriage triage;
    private readonly AlertRepeats repeats = new();
    private readonly AlertOutbox outbox;
    private readonly Dictionary<CompiledRule, AggregationRunner> aggregations;

    public Backtest(IReadOnlyList<CompiledRule> rules, AlertFactory alerts)
    {
        ArgumentNullException.ThrowIfNull(rules);
        this.rules = rules.Select(r => (r, new InMemorySequenceRunner<TelemetryEvent>(r.Engine))).ToArray();
        index = new QueryIndex<TelemetryEvent>(rules.Select(r => r.Query).ToArray());
        triage = new MatchTriage(alerts);
        outbox = new AlertOutbox(new ReportedAlerts(), log: null, repeats);
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
        List<PendingAlert>? candidates = null;
        // Only the rules the event may be relevant to: the others would find it irrelevant (same results, less work).
        foreach (var position in index.Candidates(e))
        {
            var (rule, runner) = this.rules[position];
            var input = rule.Admit(e, out var classification, out var exception);
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
                    (candidates ??= []).Add(candidate);
                }

                continue;
            }

            var late = runner.LateEvents;
            var matches = runner.Process(e, classification);
            Counts.LateEvents += runner.LateEvents - late;
            Judge(rule, matches, ref candidates);
        }

        return Publish(candidates);
    }

    /// <summary>End of input: releases every event still held back for lateness and returns the alerts that completes.</summary>
    public IReadOnlyList<Alert> Finish()
    {
        List<PendingAlert>? candidates = null;
        foreach (var (rule, runner) in this.rules)
        {
            Judge(rule, runner.Flush(), ref candidates);
        }

        return Publish(candidates);
    }

    private void Judge(CompiledRule rule, IReadOnlyList<SequenceMatch<TelemetryEvent>> matches, ref List<PendingAlert>? candidates)
    {
        foreach (var match in matches)
        {
            Counts.Matches++;
            (candidates ??= []).Add(triage.Judge(rule, match));
        }
    }

    private IReadOnlyList<Alert> Publish(List<PendingAlert>? candidates)
    {
        if (candidates is null)
        {
            return [];
        }

        var pass = outbox.PublishOnceAsync(candidates, [], CancellationToken.None);
        // The in-memory memory and topic complete synchronously, so the pass has already finished here.
        var result = pass.IsCompleted ? pass.Result : throw new InvalidOperationException("The backtest's outbox pass did not complete synchronously.");
        foreach (var (_, why) in result.Dropped)
        {
            switch (why)
            {
                case AlertDrop.Duplicate:
                    Counts.Repeats++;
                    break;
                case AlertDrop.Suppressed:
                    Counts.Suppressed++;
                    break;
                default:
                    Counts.OverMaxSignals++;
                    break;
            }
        }

        Counts.Alerts += result.Published.Count;
        return result.Published;
    }
}
