namespace Vigil.Rules;

/// <summary>A MITRE ATT&amp;CK technique (id "T1059") with its sub-techniques (id "T1059.007"; they have none of their own).</summary>
public sealed record MitreTechnique(string Id, string Name, string? Reference, IReadOnlyList<MitreTechnique> Subtechniques);
