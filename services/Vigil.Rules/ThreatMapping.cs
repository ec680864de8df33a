namespace Vigil.Rules;

/// <summary>One [[rule.threat]] entry: a framework, a tactic and the techniques under it.</summary>
public sealed record ThreatMapping(string Framework, MitreTactic Tactic, IReadOnlyList<MitreTechnique> Techniques);
