using System.Runtime.CompilerServices;
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

    // In front of those, the image last resolved from the same string instances, found by their identity hash and two
    // reference comparisons: the decoder's cached fields hand out one instance per value, so nearly every event is
    // answered here without hashing the strings' characters (twice, for a tuple key) and a concurrent table's lookup.
    // A slot holds one immutable entry, replaced whole: a racing reader sees the old entry or the new one. A slot is
    // written only when the value-keyed cache already held the image, so a value seen once neither allocates an entry
    // nor replaces one in use.
    private const int RecentSlots = 4096;
    private static readonly Recent?[] RecentImages = new Recent?[RecentSlots];

    /// <summary>The image of <paramref name="process"/>, or null when the event names no process at all.</summary>
    public static ProcessImage? Resolve(Process? process)
    {
        if (process is null)
        {
            return null;
        }

        if (process.CodeSignature is { Exists: true, Trusted: true, SigningId.Length: > 0 } signature)
        {
            var key = (signature.TeamId, signature.SigningId);
            return Remembered(signature.TeamId, signature.SigningId)
                ?? (BySignature.TryGetCurrent(key, out var signed)
                    ? Remember(signature.TeamId, signature.SigningId, signed)
                    : BySignature.GetOrAdd(key, static s => ProcessImage.Signed(s.TeamId, s.SigningId)));
        }

        if (process.Executable.Length > 0)
        {
            // An executable's entry has no team id: null is never a signature's (whose team id is a string, maybe empty).
            return Remembered(null, process.Executable)
                ?? (ByExecutable.TryGetCurrent(process.Executable, out var atPath)
                    ? Remember(null, process.Executable, atPath)
                    : ByExecutable.GetOrAdd(process.Executable, ProcessImage.AtPath));
        }

        return process.Name.Length > 0 ? ProcessImage.Named(process.Name) : null;
    }

    private static int SlotOf(string? first, string second) =>
        (int)((uint)HashCode.Combine(first is null ? 0 : RuntimeHelpers.GetHashCode(first), RuntimeHelpers.GetHashCode(second)) % RecentSlots);

    private static ProcessImage? Remembered(string? first, string second) =>
        Volatile.Read(ref RecentImages[SlotOf(first, second)]) is { } recent && ReferenceEquals(recent.First, first) && ReferenceEquals(recent.Second, second)
            ? recent.Image
            : null;

    private static ProcessImage Remember(string? first, string second, ProcessImage image)
    {
        Volatile.Write(ref RecentImages[SlotOf(first, second)], new Recent(first, second, image));
        return image;
    }

    private sealed class Recent(string? first, string second, ProcessImage image)
    {
        public string? First { get; } = first;

        public string Second { get; } = second;

        public ProcessImage Image { get; } = image;
    }
}
