namespace Vigil.Eql;

/// <summary>
/// What one event means to one query: which steps it satisfies (bit i = distinct step i) and whether it satisfies the
/// until clause. Computed once per (event, query) by <see cref="CompiledQuery{TEvent}.Classify"/> and handed to the
/// engine, so a caller that first asks "is this event relevant?" does not pay for the conditions twice.
/// </summary>
public readonly record struct EventClassification
{
    internal EventClassification(ulong steps, bool until)
    {
        Steps = steps;
        Until = until;
    }

    /// <summary>True when the event satisfies some step or the until clause: only then can it change a rule's state.</summary>
    public bool IsRelevant => Steps != 0 || Until;

    internal ulong Steps { get; }

    internal bool Until { get; }

    internal bool Satisfies(int definition) => (Steps & (1UL << definition)) != 0;

    /// <summary>
    /// The classification in the low <paramref name="width"/> bits of <paramref name="bits"/> (the steps, then the until
    /// clause in the top one), for a caller that carries it elsewhere (<see cref="Unpack"/> reads it back); false when the
    /// query's steps the event satisfies do not fit.
    /// </summary>
    public bool TryPack(int width, out ulong bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 64);
        var stepBits = width - 1;
        if (Steps >> stepBits != 0)
        {
            bits = 0;
            return false;
        }

        bits = Steps | (Until ? 1UL << stepBits : 0);
        return true;
    }

    /// <summary>The classification <see cref="TryPack"/> packed in the low <paramref name="width"/> bits of <paramref name="bits"/> (higher bits are ignored).</summary>
    public static EventClassification Unpack(ulong bits, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 64);
        var stepBits = width - 1;
        return new EventClassification(bits & ((1UL << stepBits) - 1), ((bits >> stepBits) & 1) != 0);
    }
}
