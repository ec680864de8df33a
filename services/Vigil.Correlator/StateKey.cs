using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>Identifies one rule's sequence state for one host.</summary>
public readonly record struct StateKey(CompiledRule Rule, string HostId);
