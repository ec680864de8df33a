using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Detection;

/// <summary>
/// Decides what a completed match becomes, the same way for the streaming correlator and for backtests: a match an
/// exception of its rule allows is dropped; any other becomes an alert with a deterministic id and, when the rule has
/// a suppression window, the key that suppresses its repeats (the match's join key values).
/// </summary>
public sealed class MatchTriage(AlertFactory alerts)
{
    public MatchVerdict Judge(CompiledRule rule, SequenceMatch<TelemetryEvent> match)
    {
        if (rule.Exceptions.FindException(match.Events) is { } exception)
        {
            return new MatchVerdict(exception, null);
        }

        var suppression = rule.SuppressionWindow is null ? null : string.Join('\u001f', match.Key.Values.Select(v => v ?? string.Empty));
        return new MatchVerdict(null, new PendingAlert(rule, alerts.Create(rule, match), suppression));
    }
}
