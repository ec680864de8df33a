namespace Vigil.Rules.UnitTests;

/// <summary>The rule files next to these tests (copied to the output folder).</summary>
internal static class Fixtures
{
    public static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "files", name);

    public static string File(string folder, string name) => Path.Combine(Folder(folder), name);
}
