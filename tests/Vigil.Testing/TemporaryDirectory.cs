namespace Vigil.Testing;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    private TemporaryDirectory(string path) => Path = path;

    public string Path { get; }

    public static TemporaryDirectory Create(string namePrefix) =>
        new(Directory.CreateTempSubdirectory(namePrefix).FullName);

    /// <summary>Full path of <paramref name="relativePath"/> inside this directory.</summary>
    public string Combine(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: nothing to clean up.
        }
    }
}
