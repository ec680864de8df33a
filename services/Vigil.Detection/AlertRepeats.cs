namespace Vigil.Detection;

/// <summary>
/// The backtest's in-memory <see cref="IAlertMemory"/>, the counterpart of the correlator's Redis keys: alert ids already
/// reported, alert suppression windows per rule and group_by values, and max_signals budgets. Windows run on event time:
/// the first alert of a group opens a window of the rule's suppression duration from its last evidence event, and every
/// later alert of the group whose last evidence event falls inside it is suppressed and counted on the first (Elastic's
/// kibana.alert.suppression.docs_count); the window is not extended by what it suppresses. The correlator runs the
/// same window on the wall clock from publication, which on a live stream is event time plus the lateness.
/// Every call completes synchronously.
/// </summary>
public sealed class AlertRepeats : IAlertMemory
{
    private readonly HashSet<string> published = new(StringComparer.Ordinal);
    private readonly Dictionary<(string RuleId, string Group), (long Until, string AlertId)> windows = [];
    private readonly Dictionary<string, long> suppressedCounts = new(StringComparer.Ordinal);
    private readonly SignalBudget budget = new();

    /// <summary>How many alerts each reported alert suppressed, by its id (absent when none).</summary>
    public IReadOnlyDictionary<string, long> SuppressedCounts => suppressedCounts;

    public ValueTask<IReadOnlyDictionary<string, AlertDrop>> FindRepeatsAsync(IReadOnlyList<PendingAlert> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var repeats = new Dictionary<string, AlertDrop>(StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            if (this.published.Contains(candidate.Alert.Id))
            {
                repeats[candidate.Alert.Id] = AlertDrop.Duplicate;
            }
            else if (candidate.SuppressionScope is { } scope
                && windows.TryGetValue(scope, out var window)
                && candidate.Alert.LastEventTime < window.Until)
            {
                repeats[candidate.Alert.Id] = AlertDrop.Suppressed;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, AlertDrop>>(repeats);
    }

    public bool Covers(PendingAlert opener, PendingAlert later)
    {
        ArgumentNullException.ThrowIfNull(opener);
        ArgumentNullException.ThrowIfNull(later);
        return later.Alert.LastEventTime < WindowEnd(opener);
    }

    public ValueTask<IReadOnlyList<PendingAlert>> TakeBudgetAsync(IReadOnlyList<PendingAlert> fresh)
    {
        ArgumentNullException.ThrowIfNull(fresh);
        return ValueTask.FromResult<IReadOnlyList<PendingAlert>>(fresh.Where(budget.TryTake).ToList());
    }

    public ValueTask RememberAsync(
        IReadOnlyList<PendingAlert> published,
        IReadOnlyList<PendingAlert> suppressed,
        IReadOnlyCollection<int> partitions,
        IReadOnlyDictionary<int, long> checkpoint)
    {
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(suppressed);
        foreach (var alert in published)
        {
            this.published.Add(alert.Alert.Id);
            if (alert.SuppressionScope is { } scope)
            {
                windows[scope] = (WindowEnd(alert), alert.Alert.Id);
            }
        }

        foreach (var alert in suppressed)
        {
            // Counted on the window that covers it; a window whose opener was refused by max_signals never opened.
            if (alert.SuppressionScope is { } scope && windows.TryGetValue(scope, out var window))
            {
                suppressedCounts[window.AlertId] = suppressedCounts.GetValueOrDefault(window.AlertId) + 1;
            }
        }

        return ValueTask.CompletedTask;
    }

    private static long WindowEnd(PendingAlert alert) => alert.Alert.LastEventTime + (alert.Rule.Suppression!.Window.Ticks * 100);
}
