namespace Vigil.Eql.Sequences;

/// <summary>
/// The matches a state reported early, until the time-ordered pass goes past their last events: a set for the
/// "already reported?" question and a queue by last event for forgetting them, so neither grows a host's per-event work
/// with the number of reports it holds.
/// </summary>
internal sealed class EarlyReportSet
{
    private readonly HashSet<EarlyReport> reports = [];

    // May hold reports already taken from the set (the time-ordered pass consumed them): they are dropped when dequeued.
    private readonly PriorityQueue<EarlyReport, EventPosition> byLast = new();

    public int Count => reports.Count;

    public IEnumerable<EarlyReport> Items => reports;

    public bool Contains(EarlyReport report) => reports.Contains(report);

    public void Add(EarlyReport report)
    {
        if (reports.Add(report))
        {
            byLast.Enqueue(report, report.Last);
        }
    }

    /// <summary>Forgets a report (true when it was held).</summary>
    public bool Take(EarlyReport report)
    {
        if (!reports.Remove(report))
        {
            return false;
        }

        if (reports.Count == 0)
        {
            byLast.Clear();
        }

        return true;
    }

    /// <summary>Forgets every report whose last event is at or before <paramref name="released"/>; true when any was held.</summary>
    public bool ForgetThrough(EventPosition released)
    {
        var any = false;
        while (byLast.TryPeek(out var report, out var last) && last <= released)
        {
            byLast.Dequeue();
            any |= reports.Remove(report);
        }

        return any;
    }
}
