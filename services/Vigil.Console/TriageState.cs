namespace Vigil.Console;

/// <summary>An alert's current triage status, assignee and the time of the last change.</summary>
public sealed record TriageState(string Status, string? Assignee, DateTimeOffset? Updated);
