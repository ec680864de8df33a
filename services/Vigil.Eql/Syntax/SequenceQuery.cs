namespace Vigil.Eql.Syntax;

/// <summary>
/// <c>sequence [by keys] [with maxspan=...] step step... [until step]</c>. <paramref name="SharedKeys"/> apply to every
/// step and the until step, ahead of each step's own keys.
/// </summary>
public sealed record SequenceQuery(
    EqlSource Source,
    SourceLocation Location,
    IReadOnlyList<FieldExpression> SharedKeys,
    TimeSpan? MaxSpan,
    IReadOnlyList<SequenceStep> Steps,
    SequenceStep? Until) : EqlQuery(Source);
