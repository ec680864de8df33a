namespace Vigil.Eql.Syntax;

/// <summary>A math operation on two numbers.</summary>
public sealed record ArithmeticExpression(SourceLocation Location, ArithmeticOperator Operator, EqlExpression Left, EqlExpression Right)
    : EqlExpression(Location);
