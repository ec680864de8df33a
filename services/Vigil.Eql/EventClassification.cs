namespace Vigil.Eql;

/// <summary>Which steps of a query an event satisfies (bit i = distinct step i) and whether it satisfies the until clause.</summary>
internal readonly record struct EventClassification(ulong Steps, bool Until)
{
    public bool IsRelevant => Steps != 0 || Until;

    public bool Satisfies(int definition) => (Steps & (1UL << definition)) != 0;
}
