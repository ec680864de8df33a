namespace Vigil.Eql.Sequences;

/// <summary>
/// Where an event sits in a host's stream: (@timestamp, event.sequence), with event.id breaking exact ties so that
/// every arrival order of the same events is processed in one order.
/// </summary>
public readonly record struct EventPosition(long Timestamp, long Sequence, string Id) : IComparable<EventPosition>
{
    public int CompareTo(EventPosition other)
    {
        var byTime = Timestamp.CompareTo(other.Timestamp);
        if (byTime != 0)
        {
            return byTime;
        }

        var bySequence = Sequence.CompareTo(other.Sequence);
        return bySequence != 0 ? bySequence : string.CompareOrdinal(Id, other.Id);
    }

    /// <summary>True when this comes strictly before <paramref name="other"/> by (@timestamp, event.sequence) alone.</summary>
    public bool IsStrictlyBefore(EventPosition other) =>
        Timestamp < other.Timestamp || (Timestamp == other.Timestamp && Sequence < other.Sequence);

    public static bool operator <(EventPosition left, EventPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(EventPosition left, EventPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(EventPosition left, EventPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EventPosition left, EventPosition right) => left.CompareTo(right) >= 0;
}
