namespace Vigil.Eql.Syntax;

/// <summary><c>value in ("a", "b")</c>, <c>in~</c>, <c>not in</c>, <c>not in~</c>.</summary>
public sealed record InExpression(
    SourceLocation Location,
    EqlExpression Value,
    bool Negated,
    bool CaseInsensitive,
    IReadOnlyList<EqlExpression> Items) : EqlExpression(Location);
