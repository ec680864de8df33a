namespace Vigil.Eql.Syntax;

/// <summary>A constant: a string, a long, a double, a bool, or null.</summary>
public sealed record LiteralExpression(SourceLocation Location, object? Value) : EqlExpression(Location);
