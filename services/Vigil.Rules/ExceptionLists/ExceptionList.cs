using Vigil.Eql;

namespace Vigil.Rules.ExceptionLists;

/// <summary>A Kibana exception list (detection, rule_default or endpoint) with its items, as exported to NDJSON.</summary>
public sealed record ExceptionList(
    string ListId,
    string NamespaceType,
    string Type,
    string Name,
    IReadOnlyList<ExceptionListItem> Items,
    SourceLocation Location);
