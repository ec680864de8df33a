namespace Vigil.Eql.Syntax;

/// <summary>
/// <c>category where condition</c>. <paramref name="Category"/> is null for <c>any</c>; otherwise the event must carry it
/// among its event.category values.
/// </summary>
public sealed record EventFilter(SourceLocation Location, string? Category, EqlExpression Condition);
