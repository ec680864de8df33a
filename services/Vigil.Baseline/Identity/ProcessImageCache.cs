using System.Collections.Concurrent;

namespace Vigil.Baseline.Identity;

/// <summary>
/// Process images already seen, by identity, so their hash tags are computed once. Bounded: once full it stops
/// remembering new identities (they are still returned, just built each time), so odd paths cannot grow it forever.
/// </summary>
internal sealed class ProcessImageCache(int capacity)
{
    private readonly ConcurrentDictionary<string, ProcessImage> images = new(StringComparer.Ordinal);

    public ProcessImage GetOrAdd(string identity, ProcessImageIdentityKind kind)
    {
        if (images.TryGetValue(identity, out var known))
        {
            return known;
        }

        var image = new ProcessImage(identity, kind);
        if (images.Count < capacity)
        {
            images.TryAdd(identity, image);
        }

        return image;
    }
}
