namespace Vigil.Detection;

/// <summary>
/// Where an <see cref="AlertOutbox"/>'s user remembers alerts between batches: the ids it published and the alert
/// suppression windows they opened (Redis for the correlator, memory for a backtest). Each call is one round trip at
/// most; an in-memory memory completes synchronously.
/// </summary>
public interface IAlertMemory
{
    /// <summary>Those of <paramref name="candidates"/> that repeat what is remembered, and why (others are absent).</summary>
    ValueTask<IReadOnlyDictionary<string, AlertDrop>> FindRepeatsAsync(IReadOnlyList<PendingAlert> candidates);

    /// <summary>
    /// True when the window <paramref name="opener"/> opens (being published in the same batch) covers
    /// <paramref name="later"/>: the correlator's windows run on the wall clock from publication, so one batch is
    /// always covered; a backtest's run on event time.
    /// </summary>
    bool Covers(PendingAlert opener, PendingAlert later);

    /// <summary>The candidates the rules' max_signals budgets allow, in order.</summary>
    ValueTask<IReadOnlyList<PendingAlert>> TakeBudgetAsync(IReadOnlyList<PendingAlert> fresh);

    /// <summary>
    /// Remembers <paramref name="published"/> (ids, and the windows they open) and counts <paramref name="suppressed"/>
    /// on their windows, with the alert-topic <paramref name="checkpoint"/> for the telemetry
    /// <paramref name="partitions"/> the batch came from.
    /// </summary>
    ValueTask RememberAsync(
        IReadOnlyList<PendingAlert> published,
        IReadOnlyList<PendingAlert> suppressed,
        IReadOnlyCollection<int> partitions,
        IReadOnlyDictionary<int, long> checkpoint);
}
