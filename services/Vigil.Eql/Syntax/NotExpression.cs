namespace Vigil.Eql.Syntax;

/// <summary>Logical negation: <c>not condition</c>.</summary>
public sealed record NotExpression(SourceLocation Location, EqlExpression Operand) : EqlExpression(Location);
