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
}
