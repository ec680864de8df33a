namespace Vigil.Eql.Syntax;

/// <summary>
/// <c>sample [by keys] filter filter...</c>: events sharing the join key values that match every filter, in any time
/// order. <paramref name="SharedKeys"/> apply to every filter, ahead of each filter's own keys.
/// </summary>
public sealed record SampleQuery(
    EqlSource Source,
    SourceLocation Location,
    IReadOnlyList<FieldExpression> SharedKeys,
    IReadOnlyList<SequenceStep> Filters) : EqlQuery(Source);
