namespace Vigil.Eql.Sequences;

/// <summary>
/// The matches a state reported early, until the time-ordered pass goes past their last events: a set for the
/// "already reported?" question and a queue by last event for forgetting them, so neither grows a host's per-event work
/// with the number of reports it holds.
/// </summary>
internal sealed class EarlyReportSet
{
    // Both made on the first report: most states (every state of a rule that does not report early) never hold one.
    private HashSet<EarlyReport>? reports;

    // May hold reports already taken from the set (the time-ordered pass consumed them): they are dropped when dequeued.
    private PriorityQueue<EarlyReport, EventPosition>? byLast;

    public int Count => reports?.Count ?? 0;

    public IEnumerable<EarlyReport> Items => reports ?? [];

    public bool Contains(EarlyReport report) => reports?.Contains(report) ?? false;

    public void Add(EarlyReport report)
    {
        if ((reports ??= []).Add(report))
        {
            (byLast ??= new()).Enqueue(report, report.Last);
        }
    }

    /// <summary>Forgets a report (true when it was held).</summary>
    public bool Take(EarlyReport report)
    {
        if (reports is null || !reports.Remove(report))
        {
            return false;
        }

        if (reports.Count == 0)
        {
            byLast!.Clear();
        }

        return true;
    }

    /// <summary>Forgets every report whose last event is at or before <paramref name="released"/>; true when any was held.</summary>
    public bool ForgetThrough(EventPosition released)
    {
        if (reports is null || byLast is null)
        {
            return false;
        }

        var any = false;
        while (byLast.TryPeek(out var report, out var last) && last <= released)
        {
            byLast.Dequeue();
            any |= reports.Remove(report);
        }

        return any;
    }
}
