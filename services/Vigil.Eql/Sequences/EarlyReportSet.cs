namespace Vigil.Eql.Sequences;

/// <summary>
/// The matches a state reported early, until the time-ordered pass goes past their last events: looked up by join key
/// and last event, and by join key and first event, with a queue by last event for forgetting them, so neither grows a
/// host's per-event work with the number of reports it holds.
/// </summary>
/// <remarks>
/// A sequence the time-ordered pass (or a later preview) completes is the one a report stands for when it has the
/// report's key and either its last event (a late event changed which events precede it) or its first event (the
/// partial that event started, which completes once on any stream, completed with a late event sooner). Each report
/// stands for one such sequence: the first the time-ordered pass completes takes it out.
/// </remarks>
internal sealed class EarlyReportSet
{
    // All made on the first report: most states (every state of a rule that does not report early) never hold one.
    private Dictionary<(JoinKey Key, EventPosition Last), EarlyReport>? byLast;
    private Dictionary<(JoinKey Key, EventPosition First), EarlyReport>? byFirst;

    // May hold reports already taken (the time-ordered pass consumed them): they are skipped when dequeued.
    private PriorityQueue<EarlyReport, EventPosition>? forgetting;

    public int Count => byLast?.Count ?? 0;

    public IEnumerable<EarlyReport> Items => byLast?.Values ?? Enumerable.Empty<EarlyReport>();

    /// <summary>True when a report stands for the sequence of <paramref name="key"/> from <paramref name="first"/> to <paramref name="last"/>.</summary>
    public bool Covers(JoinKey key, EventPosition first, EventPosition last) => Find(key, first, last) is not null;

    public void Add(EarlyReport report)
    {
        if (!(byLast ??= []).TryAdd((report.Key, report.Last), report))
        {
            return;
        }

        if (report.First is { } first)
        {
            (byFirst ??= []).TryAdd((report.Key, first), report);
        }

        (forgetting ??= new()).Enqueue(report, report.Last);
    }

    /// <summary>Takes out the report that stands for this sequence (true when one was held).</summary>
    public bool Take(JoinKey key, EventPosition first, EventPosition last)
    {
        if (Find(key, first, last) is not { } report)
        {
            return false;
        }

        Remove(report);
        if (byLast!.Count == 0)
        {
            forgetting!.Clear();
        }

        return true;
    }

    /// <summary>Forgets every report whose last event is at or before <paramref name="released"/>; true when any was held.</summary>
    public bool ForgetThrough(EventPosition released)
    {
        if (byLast is null || forgetting is null)
        {
            return false;
        }

        var any = false;
        while (forgetting.TryPeek(out var report, out var last) && last <= released)
        {
            forgetting.Dequeue();
            if (byLast.TryGetValue((report.Key, report.Last), out var held) && held == report)
            {
                Remove(report);
                any = true;
            }
        }

        return any;
    }

    private EarlyReport? Find(JoinKey key, EventPosition first, EventPosition last) =>
        byLast is not null && byLast.TryGetValue((key, last), out var report) ? report
        : byFirst is not null && byFirst.TryGetValue((key, first), out report) ? report
        : null;

    private void Remove(EarlyReport report)
    {
        byLast!.Remove((report.Key, report.Last));
        if (report.First is { } first && byFirst is not null && byFirst.TryGetValue((report.Key, first), out var held) && held == report)
        {
            byFirst.Remove((report.Key, first));
        }
    }
}
