namespace Vigil.Baseline.Learning;

/// <summary>The profiles (by image tag) and host views (by image tag and host id) a batch was evaluated against.</summary>
public sealed record BatchState(
    IReadOnlyDictionary<string, ProfileSnapshot> Profiles,
    IReadOnlyDictionary<(string Tag, string HostId), HostImageState> Hosts);
