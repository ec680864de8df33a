using System.Globalization;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;
using AlertJoinKey = Vigil.Contracts.Alerts.JoinKey;
using JoinKey = Vigil.Eql.Sequences.JoinKey;

namespace Vigil.Detection;

/// <summary>
/// Turns a threshold crossing or a new term into a pending alert through the same triage as sequence matches, then adds
/// what these rule types report: the group's terms and counts, or the new combination. Ids stay deterministic: the rule,
/// the terms and the evidence event ids.
/// </summary>
public sealed class AggregationAlerts(MatchTriage triage)
{
    public PendingAlert Threshold(CompiledRule rule, ThresholdCrossing crossing)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(crossing);
        var threshold = rule.Threshold!;
        var events = crossing.Evidence;
        var host = HostOf(threshold.Groups, crossing.Terms, events);
        var match = new SequenceMatch<TelemetryEvent>(host, crossing.Terms, events, events.Select(e => e.Event.Id).ToArray(), crossing.From, crossing.To);
        var pending = triage.Judge(rule, match);
        var alert = pending.Alert;
        alert.Id = AlertFactory.AlertId(rule.RuleId, ["threshold", .. crossing.Terms.Values.Select(v => v ?? string.Empty), .. match.EventIds]);
        alert.FirstEventTime = crossing.From;
        alert.LastEventTime = crossing.To;
        var terms = Terms(threshold.Groups, crossing.Terms);
        SetJoinKeys(alert, host, terms);
        var result = new ThresholdResult { Count = crossing.Count, From = crossing.From };
        result.Terms.Add(terms);
        if (crossing.DistinctCount is { } distinct)
        {
            result.Cardinality.Add(new ThresholdCardinality { Field = threshold.Spec.Cardinality[0].Field, Value = distinct });
        }

        alert.ThresholdResult = result;
        var group = terms.Count == 0 ? "all matching events" : string.Join(", ", terms.Select(t => $"{t.Field}={t.Value}"));
        var distinctText = crossing.DistinctCount is { } d ? $", {d} distinct {threshold.Spec.Cardinality[0].Field}" : string.Empty;
        alert.Reason = string.Create(CultureInfo.InvariantCulture,
            $"{rule.Rule.Name}: {crossing.Count} events{distinctText} for {group} within {Describe(TimeSpan.FromTicks(threshold.WindowNanos / 100))} (threshold {threshold.Spec.Value}); latest: {TelemetryLine.Summarize(events[^1])}");
        return pending;
    }

    public PendingAlert NewTerm(CompiledRule rule, JoinKey combination, TelemetryEvent e)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(e);
        var newTerms = rule.NewTerms!;
        var time = newTerms.Clock.TimeOf(e);
        var host = HostOf(newTerms.Terms, combination, [e]);
        var match = new SequenceMatch<TelemetryEvent>(host, combination, [e], [e.Event.Id], time, time);
        var pending = triage.Judge(rule, match);
        var alert = pending.Alert;
        alert.Id = AlertFactory.AlertId(rule.RuleId, ["new_terms", .. combination.Values.Select(v => v ?? string.Empty), e.Event.Id]);
        var terms = Terms(newTerms.Terms, combination);
        SetJoinKeys(alert, host, terms);
        alert.NewTerms.Add(terms);
        alert.Reason = $"{rule.Rule.Name}: new {string.Join(", ", terms.Select(t => $"{t.Field}={t.Value}"))} (not seen in the last {Describe(newTerms.Spec.HistoryWindow)}): {TelemetryLine.Summarize(e)}";
        return pending;
    }

    private static string HostOf(TermCombinations fields, JoinKey terms, IReadOnlyList<TelemetryEvent> events) =>
        fields.HostIndex is { } index ? terms.Values[index] ?? string.Empty : events[0].Host?.Id ?? string.Empty;

    private static List<AlertJoinKey> Terms(TermCombinations fields, JoinKey values) =>
        fields.Fields.Select((f, i) => new AlertJoinKey { Field = f, Value = values.Values[i] ?? string.Empty }).ToList();

    private static void SetJoinKeys(Alert alert, string host, List<AlertJoinKey> terms)
    {
        alert.JoinKeys.Clear();
        alert.JoinKeys.Add(new AlertJoinKey { Field = "host.id", Value = host });
        alert.JoinKeys.Add(terms.Where(t => t.Field != "host.id"));
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes:0}m"
        : $"{span.TotalSeconds:0.###}s";
}
