namespace Vigil.Rules;

/// <summary>A MITRE ATT&amp;CK tactic (id "TA0002").</summary>
public sealed record MitreTactic(string Id, string Name, string? Reference);
