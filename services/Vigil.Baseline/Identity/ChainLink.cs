namespace Vigil.Baseline.Identity;

/// <summary>One process of a chain: who it is and who started it (parent) or really caused it (effective parent).</summary>
public sealed record ChainLink(string EntityId, string Name, string Executable, string ParentEntityId, string EffectiveParentEntityId)
{
    /// <summary>"name (executable)", or whichever of the two is known.</summary>
    public string Describe() => Executable.Length == 0 ? Name : Name.Length == 0 ? Executable : $"{Name} ({Executable})";
}
