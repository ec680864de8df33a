namespace Vigil.Testing;

/// <summary>Locations in the repository that tests read (manifest, rule packs, fixtures).</summary>
public static class TestPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries holding Platform.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string TopicManifest => Path.Combine(RepoRoot, "deploy", "topics.json");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Platform.sln not found above {AppContext.BaseDirectory}.");
    }
}
