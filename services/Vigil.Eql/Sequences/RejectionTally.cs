namespace Vigil.Eql.Sequences;

/// <summary>
/// Running totals of <see cref="RejectionCounts"/> for one engine (one rule), safe to add to from several threads, so a
/// service can export them as counters per rule.
/// </summary>
public sealed class RejectionTally
{
    private long _maxSpan;
    private long _until;
    private long _overwritten;
    private long _stateLimit;
    private long _missingEvent;

    public RejectionCounts Totals => new(
        Interlocked.Read(ref _maxSpan),
        Interlocked.Read(ref _until),
        Interlocked.Read(ref _overwritten),
        Interlocked.Read(ref _stateLimit),
        Interlocked.Read(ref _missingEvent));

    public void Add(RejectionCounts counts)
    {
        if (counts.Total == 0)
        {
            return;
        }

        Interlocked.Add(ref _maxSpan, counts.MaxSpan);
        Interlocked.Add(ref _until, counts.Until);
        Interlocked.Add(ref _overwritten, counts.Overwritten);
        Interlocked.Add(ref _stateLimit, counts.StateLimit);
        Interlocked.Add(ref _missingEvent, counts.MissingEvent);
    }
}
