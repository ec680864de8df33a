namespace Vigil.Detection;

/// <summary>
/// The backtest's in-memory counterpart of the correlator's Redis keys for repeats: alert ids already reported, and
/// alert suppression windows per rule and group_by values. Windows run on event time: the first alert of a group
/// opens a window of the rule's suppression duration from its last evidence event, and every later alert of the
/// group whose last evidence event falls inside it is suppressed and counted on the first (Elastic's
/// kibana.alert.suppression.docs_count); the window is not extended by what it suppresses. The correlator runs the
/// same window on the wall clock from publication, which on a live stream is event time plus the lateness.
/// </summary>
public sealed class AlertRepeats
{
    private readonly HashSet<string> published = new(StringComparer.Ordinal);
    private readonly Dictionary<(string RuleId, string Group), (long Until, string AlertId)> windows = [];
    private readonly Dictionary<string, long> suppressedCounts = new(StringComparer.Ordinal);

    /// <summary>How many alerts each reported alert suppressed, by its id (absent when none).</summary>
    public IReadOnlyDictionary<string, long> SuppressedCounts => suppressedCounts;

    /// <summary>Why <paramref name="candidate"/> must not be reported ("duplicate" or "suppressed"), or null when it is new.</summary>
    public string? WhyRepeat(PendingAlert candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (this.published.Contains(candidate.Alert.Id))
        {
            return "duplicate";
        }

        if (candidate.SuppressionScope is { } scope
            && windows.TryGetValue(scope, out var window)
            && candidate.Alert.LastEventTime < window.Until)
        {
            suppressedCounts[window.AlertId] = suppressedCounts.GetValueOrDefault(window.AlertId) + 1;
            return "suppressed";
        }

        return null;
    }

    /// <summary>Remembers a reported alert: its id, and the suppression window it opens when the rule has one.</summary>
    public void Remember(PendingAlert published)
    {
        ArgumentNullException.ThrowIfNull(published);
        this.published.Add(published.Alert.Id);
        if (published.SuppressionScope is { } scope)
        {
            windows[scope] = (published.Alert.LastEventTime + (published.Rule.Suppression!.Window.Ticks * 100), published.Alert.Id);
        }
    }
}
