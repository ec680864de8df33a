namespace Vigil.Testing;

/// <summary>Locations in the repository that tests read (manifest, rule packs, fixtures).</summary>
public static class TestPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries holding Platform.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string TopicManifest => Path.Combine(RepoRoot, "deploy", "topics.json");

    /// <summary>Build configuration of the running tests (Debug or Release), read from their output path.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Reverse().Skip(2).FirstOrDefault() ?? "Debug";

    /// <summary>The built entry assembly of a service project, e.g. ("Vigil.Cli", "vigil").</summary>
    public static string ServiceAssembly(string project, string assemblyName)
    {
        var path = Path.Combine(RepoRoot, "services", project, "bin", Configuration, "net10.0", assemblyName + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build Platform.sln in {Configuration} first.", path);
    }

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
