using Vigil.Contracts.Telemetry;

namespace Vigil.Baseline.Identity;

/// <summary>
/// Which image a process runs. A trusted code signature identifies the program wherever it is installed; ad-hoc and
/// untrusted signatures do not (anyone can choose their signing id), so those fall back to the executable path, and
/// an event with neither falls back to the process name.
/// </summary>
public static class ProcessImageResolver
{
    // Every network event resolves its image. The decoder hands out one string instance per value, but building the
    // identity (and normalizing a path: a split and a join) per event costs more than the rest of the resolution, so
    // the image is remembered by what it was resolved from. Bounded like ProcessImage's own cache.
    private static readonly BoundedCache<(string TeamId, string SigningId), ProcessImage> BySignature = new(100_000);
    private static readonly BoundedCache<string, ProcessImage> ByExecutable = new(100_000, StringComparer.Ordinal);

    /// <summary>The image of <paramref name="process"/>, or null when the event names no process at all.</summary>
    public static ProcessImage? Resolve(Process? process)
    {
        if (process is null)
        {
            return null;
        }

        if (process.CodeSignature is { Exists: true, Trusted: true, SigningId.Length: > 0 } signature)
        {
            return BySignature.GetOrAdd((signature.TeamId, signature.SigningId), static s => ProcessImage.Signed(s.TeamId, s.SigningId));
        }

        if (process.Executable.Length > 0)
        {
            return ByExecutable.GetOrAdd(process.Executable, ProcessImage.AtPath);
        }

        return process.Name.Length > 0 ? ProcessImage.Named(process.Name) : null;
    }
}
