using Vigil.Eql;

namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// One condition of a Kibana exception item. <see cref="Excluded"/> is Kibana's operator "excluded" ("is not",
/// "is not one of", "does not exist", "does not match", "is not in list"), which holds for events without the field.
/// </summary>
/// <param name="Field">The ECS field as written; a nested entry's inner fields are already prefixed with the parent's.</param>
/// <param name="Values">The value of "match"/"wildcard", the values of "match_any"; empty otherwise.</param>
/// <param name="List">The value list of a "list" entry.</param>
/// <param name="Entries">The inner entries of a "nested" entry.</param>
public sealed record ExceptionEntry(
    ExceptionEntryKind Kind,
    string Field,
    bool Excluded,
    IReadOnlyList<string> Values,
    ValueList? List,
    IReadOnlyList<ExceptionEntry> Entries,
    SourceLocation Location);
