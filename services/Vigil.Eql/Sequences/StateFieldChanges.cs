namespace Vigil.Eql.Sequences;

/// <summary>
/// What one write of a (rule, host) state must do to a store that keeps it as named fields (a Redis hash): the fields
/// to set (new or changed partial sequences and buffered events, and the header), the fields to delete (finished,
/// pruned or evicted partials, released events), and whether the store's copy must first be dropped whole (it is in an
/// earlier layout, or absent). Made by <see cref="HostStateSerializer{TEvent}.Changes"/>.
/// </summary>
/// <remarks>
/// A value may be a view of an array the engine reuses (<see cref="HeldBufferPool"/>), a reorder-buffer field's name
/// (set or deleted) is an array the serializer reuses, and so is the list <see cref="Set"/> itself: all are valid until
/// the caller calls <see cref="Stored"/>, so a
/// store that keeps names or values (rather than sending them) copies them. A caller that never
/// calls <see cref="Stored"/> (a failed write, a test) only leaves those arrays to the garbage collector.
/// </remarks>
public sealed class StateFieldChanges(
    bool replace,
    IReadOnlyList<KeyValuePair<byte[], ReadOnlyMemory<byte>>> set,
    IReadOnlyList<byte[]> removed,
    int evicted,
    long stateBytes,
    List<(HeldBufferPool Pool, byte[] Array)>? returning = null,
    byte[]? header = null,
    (HeldBufferPool Pool, byte[][] Names, int From)? names = null,
    HeldBufferPool? setPool = null)
{
    // The array of Set when it came from setPool (RentFields): it goes back there once the write is stored.
    private (HeldBufferPool Pool, KeyValuePair<byte[], ReadOnlyMemory<byte>>[] Fields)? rentedSet =
        setPool is null ? null : (setPool, (KeyValuePair<byte[], ReadOnlyMemory<byte>>[])set);

    // Reorder-buffer field names this write uses for the last time (Names from From on), rented from Pool.
    private (HeldBufferPool Pool, byte[][] Names, int From)? names = names;

    private List<(HeldBufferPool Pool, byte[] Array)>? returning = returning;

    // The header's value is a view of this array of the shared pool (null: an array of its own).
    private byte[]? header = header;

    /// <summary>Drop whatever the store holds under the state's key before setting <see cref="Set"/>.</summary>
    public bool Replace { get; } = replace;

    /// <summary>Fields to set: name and value bytes (see the remarks for how long they stay valid).</summary>
    public IReadOnlyList<KeyValuePair<byte[], ReadOnlyMemory<byte>>> Set { get; } = set;

    /// <summary>Names of fields to delete (see the remarks for how long they stay valid).</summary>
    public IReadOnlyList<byte[]> Removed { get; } = removed;

    /// <summary>Partial sequences evicted to keep the state within its byte limit (already counted as state_limit).</summary>
    public int Evicted { get; } = evicted;

    /// <summary>The state's bytes in the store after this write (names and values of every field).</summary>
    public long StateBytes { get; } = stateBytes;

    /// <summary>
    /// Says the store has taken this write (it completed): the pooled arrays of the events that left the state's
    /// reorder buffer since its previous write, the names of their fields, and the header's array go back to their pool
    /// for later writes. Call it once the write has
    /// completed, never while it may still read <see cref="Set"/>; calling it again does nothing.
    /// </summary>
    public void Stored()
    {
        var taken = returning;
        returning = null;
        Return(taken);
        if (header is { } array)
        {
            header = null;
            HeldBufferPool.Shared.Return(array);
        }

        if (names is var (pool, named, from))
        {
            names = null;
            for (var i = from; i < named.Length; i++)
            {
                pool.ReturnExact(named[i]);
            }
        }

        if (rentedSet is var (fieldPool, fields))
        {
            rentedSet = null;
            fieldPool.ReturnFields(fields);
        }
    }

    internal static void Return(List<(HeldBufferPool Pool, byte[] Array)>? arrays)
    {
        if (arrays is null)
        {
            return;
        }

        HeldBufferPool.ReturnAll(arrays);

        // The list itself is made again on the state's next release: most releases return an array or two.
        arrays.Clear();
        if (arrays.Capacity > MaxSpareListCapacity)
        {
            // A burst (a key-limit eviction, a large release) grew it: keeping it would hold that room for good.
            return;
        }

        lock (SpareGate)
        {
            if (SpareLists.Count < MaxSpareLists)
            {
                SpareLists.Push(arrays);
            }
        }
    }

    /// <summary>An empty list for a state's <see cref="HostState{TEvent}.Returning"/>, one a stored write gave back if any.</summary>
    internal static List<(HeldBufferPool Pool, byte[] Array)> RentList()
    {
        lock (SpareGate)
        {
            if (SpareLists.TryPop(out var list))
            {
                return list;
            }
        }

        return new(4);
    }

    private const int MaxSpareLists = 1024;
    private const int MaxSpareListCapacity = 64;

    // Lists of returned arrays, reused across states and threads (a write is stored on whichever thread completes it).
    private static readonly Stack<List<(HeldBufferPool Pool, byte[] Array)>> SpareLists = new();

    // A Lock, not a monitor on the stack: the lists are returned on whichever thread completes a write, and a monitor
    // once contended stays on its slow path (a sync block) for every later state write.
    private static readonly Lock SpareGate = new();
}
