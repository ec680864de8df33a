namespace Vigil.Eql.Sequences;

/// <summary>
/// What an engine threw away, by reason: partial sequences that outlived maxspan (or the span that stands in for it),
/// partials an until event ended, partials a newer one overwrote in the same state, partials evicted to keep a host's
/// state within its limits, and completed sequences (or samples) dropped because an event that had to be absent
/// occurred.
/// </summary>
public readonly record struct RejectionCounts(long MaxSpan, long Until, long Overwritten, long StateLimit, long MissingEvent)
{
    public long Total => MaxSpan + Until + Overwritten + StateLimit + MissingEvent;

    public static RejectionCounts operator +(RejectionCounts a, RejectionCounts b) => new(
        a.MaxSpan + b.MaxSpan,
        a.Until + b.Until,
        a.Overwritten + b.Overwritten,
        a.StateLimit + b.StateLimit,
        a.MissingEvent + b.MissingEvent);
}
