using System.Globalization;
using System.Text;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>
/// Decides what a completed match becomes, the same way for the streaming correlator and for backtests: an alert
/// with a deterministic id and, when the rule has [rule.alert_suppression], the group that suppresses its repeats.
/// Exceptions are not judged here: they removed their events before the engine ran (<see cref="CompiledRule.Admit"/>).
/// </summary>
public sealed class MatchTriage(AlertFactory alerts)
{
    private const string Missing = "\u2400";

    public PendingAlert Judge(CompiledRule rule, SequenceMatch<TelemetryEvent> match)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(match);
        return new PendingAlert(rule, alerts.Create(rule, match), SuppressionGroup(rule, match));
    }

    /// <summary>
    /// The values of the rule's group_by fields, joined, or null when the alert is not suppressible. A sequence's value
    /// of a field is the one every event of the sequence shares, as in the sequence alert Kibana builds from the
    /// fields its events have in common; a field the events disagree on or lack is missing. Multi-valued fields group
    /// by the whole array, as Elastic does for EQL rules.
    /// </summary>
    public static string? SuppressionGroup(CompiledRule rule, SequenceMatch<TelemetryEvent> match)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(match);
        if (rule.Suppression is not { } suppression)
        {
            return null;
        }

        var key = new StringBuilder();
        foreach (var field in rule.SuppressionFields)
        {
            string? shared = null;
            foreach (var e in match.Events)
            {
                var value = Render(field(e));
                if (value is null || (shared is not null && shared != value))
                {
                    shared = null;
                    break;
                }

                shared = value;
            }

            if (shared is null && suppression.MissingFields == MissingFieldsStrategy.DoNotSuppress)
            {
                return null;
            }

            key.Append(shared ?? Missing).Append('\u001f');
        }

        return key.ToString();
    }

    private static string? Render(EqlValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        var parts = new string[value.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var item = value.ItemAt(i);
            parts[i] = item.Kind switch
            {
                EqlValueKind.String => item.AsString,
                EqlValueKind.Boolean => item.AsBoolean ? "true" : "false",
                EqlValueKind.Integer => item.AsInteger.ToString(CultureInfo.InvariantCulture),
                EqlValueKind.Float => item.AsFloat.ToString("R", CultureInfo.InvariantCulture),
                _ => string.Empty,
            };
        }

        return string.Join('\u001e', parts);
    }
}
