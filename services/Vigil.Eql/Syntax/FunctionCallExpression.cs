namespace Vigil.Eql.Syntax;

/// <summary>A function call such as <c>startsWith~(process.name, "py")</c>; <paramref name="CaseInsensitive"/> is the '~'.</summary>
public sealed record FunctionCallExpression(
    SourceLocation Location,
    string Name,
    bool CaseInsensitive,
    IReadOnlyList<EqlExpression> Arguments) : EqlExpression(Location);
