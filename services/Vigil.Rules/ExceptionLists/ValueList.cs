namespace Vigil.Rules.ExceptionLists;

/// <summary>
/// A Kibana value list that "is in list" entries name: its id, its type (keyword, ip, ip_range) and its values, read
/// from a text file of one value per line, the format Kibana's value list upload takes.
/// </summary>
public sealed record ValueList(string Id, string Type, string Path, IReadOnlyList<string> Values);
