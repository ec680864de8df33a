namespace Vigil.Eql.Syntax;

/// <summary>A parsed EQL query, not yet bound to any event schema.</summary>
public abstract record EqlQuery(EqlSource Source);
