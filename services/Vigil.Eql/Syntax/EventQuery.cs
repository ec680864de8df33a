namespace Vigil.Eql.Syntax;

/// <summary>A single-event query: <c>category where condition</c>.</summary>
public sealed record EventQuery(EqlSource Source, EventFilter Filter) : EqlQuery(Source);
