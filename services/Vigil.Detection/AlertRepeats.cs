namespace Vigil.Detection;

/// <summary>
/// The backtest's in-memory counterpart of the correlator's Redis keys for repeats: alert ids already reported, and
/// suppression windows per host, rule and join key values. Windows run on event time: a published alert suppresses
/// candidates of its scope whose last evidence event is less than the rule's window after its own last evidence event
/// (the correlator runs the same window on the wall clock from publication, which on a live stream is event time
/// plus the lateness).
/// </summary>
public sealed class AlertRepeats
{
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
    private readonly Dictionary<(string HostId, string RuleId, string Key), long> _suppressedUntil = [];

    /// <summary>Why <paramref name="candidate"/> must not be reported ("duplicate" or "suppression-window"), or null when it is new.</summary>
    public string? WhyRepeat(PendingAlert candidate)
    {
        if (_published.Contains(candidate.Alert.Id))
        {
            return "duplicate";
        }

        return candidate.SuppressionScope is { } scope
            && _suppressedUntil.TryGetValue(scope, out var until)
            && candidate.Alert.LastEventTime < until
                ? "suppression-window"
                : null;
    }

    /// <summary>Remembers a reported alert: its id, and its suppression window when the rule has one.</summary>
    public void Remember(PendingAlert published)
    {
        _published.Add(published.Alert.Id);
        if (published.SuppressionScope is { } scope)
        {
            _suppressedUntil[scope] = published.Alert.LastEventTime + (published.Rule.SuppressionWindow!.Value.Ticks * 100);
        }
    }
}
