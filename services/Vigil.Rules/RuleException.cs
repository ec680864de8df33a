namespace Vigil.Rules;

/// <summary>
/// One allowlist entry of a rule's [vigil] section. Each list is a criterion that holds when the event matches any of
/// its values; the entry removes an event from the rule's input when every criterion it names holds for that one event
/// (criteria it leaves empty are ignored), as an item of a Kibana exception list does. Executables and domains are case-insensitive wildcard patterns ('*', '?'); path prefixes are case-insensitive,
/// may hold the same wildcards and apply to file.path and dll.path; IPs may be CIDR blocks.
/// </summary>
public sealed record RuleException(
    string? Description,
    IReadOnlyList<string> ProcessExecutables,
    IReadOnlyList<string> ParentExecutables,
    IReadOnlyList<string> SigningIds,
    IReadOnlyList<string> TeamIds,
    IReadOnlyList<string> Users,
    IReadOnlyList<string> PathPrefixes,
    IReadOnlyList<string> DestinationDomains,
    IReadOnlyList<string> DestinationIps);
