namespace Vigil.Eql.Syntax;

/// <summary>A comparison such as <c>process.pid == 1</c> or <c>user.id != null</c>.</summary>
public sealed record ComparisonExpression(SourceLocation Location, ComparisonOperator Operator, EqlExpression Left, EqlExpression Right)
    : EqlExpression(Location);
