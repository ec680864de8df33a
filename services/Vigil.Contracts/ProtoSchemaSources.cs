using Google.Protobuf.Reflection;

namespace Vigil.Contracts;

/// <summary>The .proto source text of each contract, as compiled, for Schema Registry registration.</summary>
public static class ProtoSchemaSources
{
    /// <summary>Returns the source of the .proto file that declares <paramref name="file"/> (by its import path).</summary>
    public static string Read(FileDescriptor file)
    {
        using var stream = typeof(ProtoSchemaSources).Assembly.GetManifestResourceStream(file.Name)
            ?? throw new InvalidOperationException($"No embedded source for proto file '{file.Name}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Import paths of every embedded proto file.</summary>
    public static IReadOnlyList<string> Names { get; } =
        typeof(ProtoSchemaSources).Assembly.GetManifestResourceNames().Where(n => n.EndsWith(".proto", StringComparison.Ordinal)).ToArray();

}
