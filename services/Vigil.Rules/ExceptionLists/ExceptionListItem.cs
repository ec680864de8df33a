using Vigil.Eql;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// One exception item ("type": "simple") of a Kibana exception list: it removes an event when all its entries hold
/// and, when it names <see cref="OsTypes"/>, the event's host.os.type is one of them. Past <see cref="ExpireTime"/>
/// the item no longer applies.
/// </summary>
public sealed record ExceptionListItem(
    string ItemId,
    string ListId,
    string NamespaceType,
    string Name,
    IReadOnlyList<string> OsTypes,
    DateTimeOffset? ExpireTime,
    IReadOnlyList<ExceptionEntry> Entries,
    SourceLocation Location);
