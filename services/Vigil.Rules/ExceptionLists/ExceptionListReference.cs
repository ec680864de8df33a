using Vigil.Eql;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// One entry of a rule's exceptions_list (<c>{ id, list_id, namespace_type, type }</c>). Lists are found by list_id
/// and namespace_type, as Kibana resolves them when it imports rules (the saved-object id differs per deployment).
/// </summary>
public sealed record ExceptionListReference(string? Id, string ListId, string NamespaceType, string Type, SourceLocation Location);
