namespace Vigil.Adapters;

/// <summary>
/// ECS <c>host.os.type</c> (linux, macos, unix, windows, ios, android) from <c>host.os.platform</c> or
/// <c>host.os.family</c>, which older Elastic Endpoint and Beats documents carry instead (e.g. "darwin", "macos", "debian").
/// </summary>
internal static class ElasticOsType
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["macos"] = "macos",
        ["darwin"] = "macos",
        ["osx"] = "macos",
        ["mac os x"] = "macos",
        ["windows"] = "windows",
        ["linux"] = "linux",
        ["debian"] = "linux",
        ["ubuntu"] = "linux",
        ["redhat"] = "linux",
        ["rhel"] = "linux",
        ["centos"] = "linux",
        ["amazon"] = "linux",
        ["suse"] = "linux",
        ["ios"] = "ios",
        ["android"] = "android",
    };

    /// <summary>The os type <paramref name="name"/> names, or null.</summary>
    public static string? From(string? name) => name is { Length: > 0 } && Known.TryGetValue(name.Trim(), out var type) ? type : null;
}
