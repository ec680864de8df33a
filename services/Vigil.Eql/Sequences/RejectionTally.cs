namespace Vigil.Eql.Sequences;

/// <summary>
/// Running totals of <see cref="RejectionCounts"/> for one engine (one rule), safe to add to from several threads, so a
/// service can export them as counters per rule.
/// </summary>
public sealed class RejectionTally
{
    private long maxSpan;
    private long until;
    private long overwritten;
    private long stateLimit;
    private long missingEvent;

    public RejectionCounts Totals => new(
        Interlocked.Read(ref maxSpan),
        Interlocked.Read(ref until),
        Interlocked.Read(ref overwritten),
        Interlocked.Read(ref stateLimit),
        Interlocked.Read(ref missingEvent));

    public void Add(RejectionCounts counts)
    {
        if (counts.Total == 0)
        {
            return;
        }

        Interlocked.Add(ref maxSpan, counts.MaxSpan);
        Interlocked.Add(ref until, counts.Until);
        Interlocked.Add(ref overwritten, counts.Overwritten);
        Interlocked.Add(ref stateLimit, counts.StateLimit);
        Interlocked.Add(ref missingEvent, counts.MissingEvent);
    }
}
