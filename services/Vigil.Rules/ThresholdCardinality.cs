namespace Vigil.Rules;

/// <summary><c>[[rule.threshold.cardinality]]</c>: the group also needs at least <see cref="Value"/> distinct values of <see cref="Field"/>.</summary>
public sealed record ThresholdCardinality(string Field, long Value);
