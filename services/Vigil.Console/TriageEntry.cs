namespace Vigil.Console;

/// <summary>One step of an alert's triage history: who did what and when, the status it left and the note given.</summary>
public sealed record TriageEntry(DateTimeOffset At, string By, string Action, string Status, string? Assignee, string? Note);
