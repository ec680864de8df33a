namespace Vigil.Baseline.Identity;

/// <summary>
/// Process images already seen, by identity, so their hash tags are computed once. Bounded and evicting
/// (<see cref="BoundedCache{TKey, TValue}"/>): images not seen for a while leave, so odd paths cannot grow it forever
/// and the images in use stay cached however many others came before.
/// </summary>
internal sealed class ProcessImageCache(int capacity)
{
    private readonly BoundedCache<string, ProcessImage> images = new(capacity, StringComparer.Ordinal);

    public ProcessImage GetOrAdd(string identity, ProcessImageIdentityKind kind) =>
        images.GetOrAdd(identity, static (id, k) => new ProcessImage(id, k), kind);
}
