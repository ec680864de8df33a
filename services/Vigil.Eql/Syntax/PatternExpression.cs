namespace Vigil.Eql.Syntax;

/// <summary>
/// <c>value : "a*"</c>, <c>value like~ ("a*", "b")</c>, <c>value regex "a.*"</c>: true when any value matches any pattern.
/// </summary>
public sealed record PatternExpression(
    SourceLocation Location,
    PatternOperator Operator,
    bool CaseInsensitive,
    EqlExpression Value,
    IReadOnlyList<LiteralExpression> Patterns) : EqlExpression(Location);
