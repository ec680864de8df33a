namespace Vigil.Eql.Syntax;

/// <summary>Unary minus.</summary>
public sealed record NegateExpression(SourceLocation Location, EqlExpression Operand) : EqlExpression(Location);
