namespace Vigil.Contracts;

/// <summary>
/// What reading one ECS JSON document could not put in a contract field, so a caller can count it (a metric per field
/// name, a backtest summary) instead of losing it silently. Reusable: <see cref="Clear"/> between documents.
/// </summary>
public sealed class EcsReadReport
{
    private readonly List<string> unmapped = [];
    private readonly List<string> overflow = [];
    private readonly List<EcsValueProblem> problems = [];

    /// <summary>Flattened names of source fields the contract has no place for, kept in the event's unmapped map.</summary>
    public IReadOnlyList<string> Unmapped => unmapped;

    /// <summary>
    /// Flattened names of fields that could not be kept at all: beyond the unmapped map's bound (entries, key or value
    /// length), or read into a message that has no unmapped map.
    /// </summary>
    public IReadOnlyList<string> Overflow => overflow;

    /// <summary>Values that could not be coerced to their contract field (each value is also kept in the unmapped map).</summary>
    public IReadOnlyList<EcsValueProblem> Problems => problems;

    /// <summary>True when every field of the document found its contract field.</summary>
    public bool IsComplete => unmapped.Count == 0 && overflow.Count == 0 && problems.Count == 0;

    public void Clear()
    {
        unmapped.Clear();
        overflow.Clear();
        problems.Clear();
    }

    internal void AddUnmapped(string name) => unmapped.Add(name);

    internal void AddOverflow(string name) => overflow.Add(name);

    internal void AddProblem(EcsValueProblem problem) => problems.Add(problem);
}
