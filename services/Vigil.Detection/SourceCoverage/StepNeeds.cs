namespace Vigil.Detection.SourceCoverage;

/// <summary>
/// What one query step (or a single-event query) needs of an event before it can match: its category, the values
/// of event.type / event.action / event.category its top-level conditions demand, and the fields those conditions
/// must find present. Conditions under "or" or "not" demand nothing, since another branch may hold.
/// </summary>
public sealed record StepNeeds(
    int Step,
    string? Category,
    IReadOnlyDictionary<string, IReadOnlySet<string>> KindValues,
    IReadOnlySet<string> RequiredFields,
    IReadOnlySet<string> ReferencedFields);
