using Vigil.FleetSim.Randomness;

namespace Vigil.FleetSim.Endpoint;

/// <summary>A binary on disk: where it lives and how it is signed.</summary>
internal sealed record ExecutableImage(string Path, CodeSignatureFacts Signature)
{
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>A stable stand-in for the file's SHA-256: the same binary hashes the same on every host.</summary>
    public string Sha256 { get; } = $"{StableHash.Of(Path):x16}{StableHash.Of(Path + "#1"):x16}{StableHash.Of(Path + "#2"):x16}{StableHash.Of(Path + "#3"):x16}";

    /// <summary>An unsigned binary or script at a path an attacker or a user wrote.</summary>
    public static ExecutableImage UnsignedAt(string path) => new(path, CodeSignatureFacts.Unsigned);
}
