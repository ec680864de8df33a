namespace Vigil.Eql.Sequences;

/// <summary>
/// The matches a state reported early, until the time-ordered pass goes past their last events: looked up by join key
/// and last event, by join key and first event, and by join key alone (for the few reports of one key), with a queue by
/// last event for forgetting them, so neither grows a host's per-event work with the number of reports it holds.
/// </summary>
/// <remarks>
/// A sequence the time-ordered pass (or a later preview) completes is the one a report stands for when it has the
/// report's key and either its last event (a late event changed which events precede it), or its first event (the
/// partial that event started, which completes once on any stream, completed with a late event sooner), or lies
/// within the report's first and last events. The last case is late events that replaced both ends: one a newer first
/// step that overwrote the report's partial, one that completed the newer partial before the report's last event, which
/// then found nothing to complete. Every partial that overwrites the report's (directly or through the partials that
/// advance into its slot) started after the report's first event, and only a partial that overtakes it can complete
/// before its last event, so on the sorted stream such a sequence replaces the reported one: it is not a second one.
/// Each report stands for one such sequence: the first the time-ordered pass completes takes it out.
/// </remarks>
internal sealed class EarlyReportSet
{
    // All made on the first report: most states (every state of a rule that does not report early) never hold one.
    private Dictionary<(JoinKey Key, EventPosition Last), EarlyReport>? byLast;
    private Dictionary<(JoinKey Key, EventPosition First), EarlyReport>? byFirst;
    private Dictionary<JoinKey, List<EarlyReport>>? byKey;

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
            byKey ??= [];
            if (!byKey.TryGetValue(report.Key, out var ofKey))
            {
                byKey[report.Key] = ofKey = new List<EarlyReport>(1);
            }

            ofKey.Add(report);
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
        : Enclosing(key, first, last);

    /// <summary>
    /// The report of <paramref name="key"/> whose first and last events enclose the sequence's and whose last event is
    /// the earliest: the one whose reported partial this sequence overtook. A wider report is left for the sequence its
    /// own last event completes, which would otherwise alert a second time.
    /// </summary>
    private EarlyReport? Enclosing(JoinKey key, EventPosition first, EventPosition last)
    {
        if (byKey is null || !byKey.TryGetValue(key, out var ofKey))
        {
            return null;
        }

        EarlyReport? tightest = null;
        foreach (var report in ofKey)
        {
            if (report.First is { } reportFirst && reportFirst <= first && last <= report.Last
                && (tightest is not { } held || report.Last < held.Last))
            {
                tightest = report;
            }
        }

        return tightest;
    }

    private void Remove(EarlyReport report)
    {
        byLast!.Remove((report.Key, report.Last));
        if (report.First is { } first && byFirst is not null && byFirst.TryGetValue((report.Key, first), out var held) && held == report)
        {
            byFirst.Remove((report.Key, first));
        }

        if (byKey is not null && byKey.TryGetValue(report.Key, out var ofKey))
        {
            ofKey.Remove(report);
            if (ofKey.Count == 0)
            {
                byKey.Remove(report.Key);
            }
        }
    }
}
