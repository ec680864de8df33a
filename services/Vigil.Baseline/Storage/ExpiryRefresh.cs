namespace Vigil.Baseline.Storage;

/// <summary>
/// When the baseline's long-lived keys get their expiry refreshed. A profile lives <see cref="BaselineOptions.Retention"/>
/// (30 days) and a host view and a host's view index <see cref="BaselineOptions.HostStateRetention"/> (1 day) past their
/// last use, yet every batch touches the same hot keys again: a PEXPIRE for each of them every batch was the largest
/// single share (about a quarter) of the commands the baseline's scripts ran. A refresh now sets the retention plus a <see cref="Margin"/>, and a write
/// within that margin of the key's last refresh leaves the expiry alone: the key then still lives at least the retention
/// past this write (the refresh set it at least retention + margin past a moment less than the margin ago), and at most
/// the retention plus the margin past its last use. So a key never expires earlier than the retention says, and at most
/// 1 % of it (never more than an hour) later: a 30-day profile at most an hour late, a 1-day view at most 14.4 minutes.
/// <para>
/// Who knows when a key was last refreshed: a profile is written by every replica and by analysts, so its update script
/// asks Redis (PTTL: refreshed when less than the retention remains); a host view and its host's view index are written
/// by the one replica owning the host's partition, which remembers when it last refreshed each view it holds
/// (<see cref="OwnedHostViews"/>) and tells the scripts which keys are due. A key the scripts create is always
/// refreshed, so none is left without an expiry.
/// </para>
/// </summary>
internal static class ExpiryRefresh
{
    private static readonly TimeSpan MaxMargin = TimeSpan.FromHours(1);

    /// <summary>How far past its retention a key may live: 1 % of the retention, at most an hour.</summary>
    public static TimeSpan Margin(TimeSpan retention)
    {
        var share = retention / 100;
        return share < MaxMargin ? share : MaxMargin;
    }

    /// <summary>The expiry a refresh sets (ms): the retention plus its margin.</summary>
    public static long RefreshedTtlMillis(TimeSpan retention) => (long)(retention + Margin(retention)).TotalMilliseconds;

    /// <summary><see cref="Margin"/> in ms.</summary>
    public static long MarginMillis(TimeSpan retention) => (long)Margin(retention).TotalMilliseconds;

    /// <summary>
    /// Whether a key this process last refreshed at <paramref name="refreshedAt"/> (<see cref="Environment.TickCount64"/>
    /// taken before that write; 0 when it never did, or does not know) is due a refresh when written at
    /// <paramref name="now"/> (taken the same way), with a margin of <paramref name="marginMillis"/>.
    /// </summary>
    public static bool IsDue(long refreshedAt, long now, long marginMillis) =>
        refreshedAt == 0 || now - refreshedAt >= marginMillis;
}
