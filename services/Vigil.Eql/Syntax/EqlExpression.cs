namespace Vigil.Eql.Syntax;

/// <summary>A node of a parsed EQL condition; <see cref="Location"/> is where it starts in the source.</summary>
public abstract record EqlExpression(SourceLocation Location);
