namespace Vigil.Rules;

/// <summary>
/// <c>[rule.threshold]</c>: events matching the query are grouped by the values of <see cref="Fields"/> (none: one group
/// for the whole rule); a group alerts when it counts at least <see cref="Value"/> events and, for each
/// <see cref="Cardinality"/> entry, at least that many distinct values of its field.
/// </summary>
public sealed record ThresholdSpec(IReadOnlyList<string> Fields, long Value, IReadOnlyList<ThresholdCardinality> Cardinality);
