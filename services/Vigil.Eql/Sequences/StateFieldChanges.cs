namespace Vigil.Eql.Sequences;

/// <summary>
/// What one write of a (rule, host) state must do to a store that keeps it as named fields (a Redis hash): the fields
/// to set (new or changed partial sequences and buffered events, and the header), the fields to delete (finished,
/// pruned or evicted partials, released events), and whether the store's copy must first be dropped whole (it is in an
/// earlier layout, or absent). Made by <see cref="HostStateSerializer{TEvent}.Changes"/>.
/// </summary>
public sealed class StateFieldChanges(bool replace, IReadOnlyList<KeyValuePair<byte[], byte[]>> set, IReadOnlyList<byte[]> removed, int evicted, long stateBytes)
{
    /// <summary>Drop whatever the store holds under the state's key before setting <see cref="Set"/>.</summary>
    public bool Replace { get; } = replace;

    /// <summary>Fields to set: name and value bytes.</summary>
    public IReadOnlyList<KeyValuePair<byte[], byte[]>> Set { get; } = set;

    /// <summary>Names of fields to delete.</summary>
    public IReadOnlyList<byte[]> Removed { get; } = removed;

    /// <summary>Partial sequences evicted to keep the state within its byte limit (already counted as state_limit).</summary>
    public int Evicted { get; } = evicted;

    /// <summary>The state's bytes in the store after this write (names and values of every field).</summary>
    public long StateBytes { get; } = stateBytes;
}
