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
    private readonly (CompiledRule Rule, InMemorySequenceRunner<TelemetryEvent> Runner)[] _rules;
    private readonly MatchTriage _triage;
    private readonly AlertRepeats _repeats = new();

    public Backtest(IReadOnlyList<CompiledRule> rules, AlertFactory alerts)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules.Select(r => (r, new InMemorySequenceRunner<TelemetryEvent>(r.Engine))).ToArray();
        _triage = new MatchTriage(alerts);
    }

    public BacktestCounts Counts { get; } = new();

    /// <summary>How many later alerts each reported alert suppressed (Elastic's kibana.alert.suppression.docs_count).</summary>
    public IReadOnlyDictionary<string, long> SuppressedCounts => _repeats.SuppressedCounts;

    /// <summary>Feeds one event; returns the alerts the matches it releases produce, in completion order.</summary>
    public IReadOnlyList<Alert> Process(TelemetryEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Counts.Events++;
        List<Alert>? alerts = null;
        foreach (var (rule, runner) in _rules)
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
        foreach (var (rule, runner) in _rules)
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
            var candidate = _triage.Judge(rule, match);
            switch (_repeats.WhyRepeat(candidate))
            {
                case "duplicate":
                    Counts.Repeats++;
                    continue;
                case "suppressed":
                    Counts.Suppressed++;
                    continue;
            }

            _repeats.Remember(candidate);
            Counts.Alerts++;
            (alerts ??= []).Add(candidate.Alert);
        }
    }
}
