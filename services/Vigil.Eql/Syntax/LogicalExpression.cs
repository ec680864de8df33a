namespace Vigil.Eql.Syntax;

/// <summary><c>left and right</c> or <c>left or right</c>.</summary>
public sealed record LogicalExpression(SourceLocation Location, LogicalOperator Operator, EqlExpression Left, EqlExpression Right)
    : EqlExpression(Location);
