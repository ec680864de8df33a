namespace Vigil.Eql.Sequences;

/// <summary>
/// Reusable arrays for the bytes of events a sequence engine holds (<see cref="InlineEvent"/>), so an event that waits
/// out the lateness in a reorder buffer and leaves without joining a partial sequence (most of them) costs no
/// allocation: its array goes back here once the store's copy no longer needs it and carries a later event.
/// </summary>
/// <remarks>
/// Arrays come in size classes of <see cref="Granularity"/> bytes up to <see cref="MaxPooledSize"/>; a larger event
/// gets an array of its own. Fine classes keep a new array close to its event's size (the arrays of events a state
/// keeps for a sequence's maxspan are new arrays when partials outlive the pool's stock); a request looks a few classes
/// up (<see cref="LargerClasses"/>) before it allocates. The pool keeps at most <see cref="MaxRetainedBytes"/> of returned arrays and lets the
/// garbage collector have the rest, so a burst of buffered events does not stay as memory for good. An array must be
/// returned only once nothing reads it any more (see <see cref="StateFieldChanges.Stored"/>): the next event
/// overwrites it. Thread-safe.
/// </remarks>
public sealed class HeldBufferPool
{
    public const int Granularity = 64;

    /// <summary>
    /// How many size classes above its own a request may take a returned array from: arrays come back in as many sizes
    /// as events have, so a request reuses one up to this many classes larger before it allocates one of its own size.
    /// </summary>
    public const int LargerClasses = 3;

    public const int MaxPooledSize = 16 * 1024;

    public const long DefaultMaxRetainedBytes = 32L << 20;

    private readonly Stack<byte[]>[] classes = new Stack<byte[]>[MaxPooledSize / Granularity];
    private readonly Lock gate = new();
    private long retained;

    public HeldBufferPool(long maxRetainedBytes = DefaultMaxRetainedBytes, bool poisonReturned = false)
    {
        MaxRetainedBytes = maxRetainedBytes >= 0 ? maxRetainedBytes : throw new ArgumentOutOfRangeException(nameof(maxRetainedBytes));
        PoisonReturned = poisonReturned;
        for (var i = 0; i < classes.Length; i++)
        {
            classes[i] = new Stack<byte[]>();
        }
    }

    /// <summary>The pool the correlator's engines share.</summary>
    public static HeldBufferPool Shared { get; } = new();

    /// <summary>The most bytes of returned arrays kept for reuse.</summary>
    public long MaxRetainedBytes { get; }

    /// <summary>
    /// Overwrites every returned array with <see cref="Poison"/> (tests): a reader that kept an array past its return
    /// then sees garbage instead of plausible bytes.
    /// </summary>
    public bool PoisonReturned { get; }

    /// <summary>The byte a returned array is filled with when <see cref="PoisonReturned"/> is set.</summary>
    public const byte Poison = 0xDB;

    /// <summary>Arrays handed out since creation (reused or new).</summary>
    public long Rented { get; private set; }

    /// <summary>Arrays handed out that were reused.</summary>
    public long Reused { get; private set; }

    /// <summary>Arrays given back since creation.</summary>
    public long Returned { get; private set; }

    /// <summary>
    /// An array of at least <paramref name="size"/> bytes (its contents are whatever the last holder left), or null when
    /// the size is beyond <see cref="MaxPooledSize"/>: the caller allocates one of its own.
    /// </summary>
    public byte[]? Rent(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (size > MaxPooledSize)
        {
            return null;
        }

        var index = ClassOf(size);
        lock (gate)
        {
            Rented++;
            for (var larger = index; larger < classes.Length && larger <= index + LargerClasses; larger++)
            {
                if (classes[larger].TryPop(out var array))
                {
                    // Its class gives its length (Return files an array by it), so the array itself, out of cache since
                    // its last event left, is first touched by the copy that fills it, outside the lock.
                    Reused++;
                    retained -= (larger + 1) * Granularity;
                    return array;
                }
            }
        }

        return new byte[(index + 1) * Granularity];
    }

    /// <summary>Takes back an array <see cref="Rent"/> handed out; nothing may read or write it afterwards.</summary>
    public void Return(byte[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length == 0 || array.Length > MaxPooledSize || array.Length % Granularity != 0)
        {
            throw new ArgumentException("The array was not rented from this pool.", nameof(array));
        }

        if (PoisonReturned)
        {
            Array.Fill(array, Poison);
        }

        lock (gate)
        {
            Returned++;
            if (retained + array.Length <= MaxRetainedBytes)
            {
                classes[(array.Length / Granularity) - 1].Push(array);
                retained += array.Length;
            }
        }
    }

    /// <summary>
    /// Gives back arrays handed over with their pools (<see cref="HostState{TEvent}.TakeArrays"/>, a stored write's
    /// released events); nothing may read or write them afterwards. A list, not any sequence: a stored write calls it,
    /// and a list's enumerator costs no allocation.
    /// </summary>
    public static void ReturnAll(List<(HeldBufferPool Pool, byte[] Array)> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        foreach (var (pool, array) in arrays)
        {
            pool.Return(array);
        }
    }

    /// <summary>The longest array <see cref="RentExact"/> reuses (a reorder-buffer field's name: 17 bytes and an event id).</summary>
    public const int MaxExactLength = 256;

    // Returned arrays of exact lengths (field names), per length; made on first use.
    private readonly Stack<byte[]>?[] exact = new Stack<byte[]>?[MaxExactLength + 1];

    /// <summary>Arrays of exact length handed out since creation (reused or new).</summary>
    public long ExactRented { get; private set; }

    /// <summary>Arrays of exact length handed out that were reused.</summary>
    public long ExactReused { get; private set; }

    /// <summary>Arrays of exact length given back since creation.</summary>
    public long ExactReturned { get; private set; }

    /// <summary>
    /// An array of exactly <paramref name="length"/> bytes (a field name, whose array is the whole name): one given back
    /// with <see cref="ReturnExact"/> if any, else a new one. Its contents are whatever the last holder left.
    /// </summary>
    public byte[] RentExact(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (length <= MaxExactLength)
        {
            lock (gate)
            {
                ExactRented++;
                if (exact[length] is { } stack && stack.TryPop(out var array))
                {
                    ExactReused++;
                    retained -= array.Length;
                    return array;
                }
            }
        }

        return new byte[length];
    }

    /// <summary>Takes back an array <see cref="RentExact"/> handed out; nothing may read or write it afterwards.</summary>
    public void ReturnExact(byte[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length == 0 || array.Length > MaxExactLength)
        {
            return;
        }

        if (PoisonReturned)
        {
            Array.Fill(array, Poison);
        }

        lock (gate)
        {
            ExactReturned++;
            if (retained + array.Length <= MaxRetainedBytes)
            {
                (exact[array.Length] ??= new Stack<byte[]>()).Push(array);
                retained += array.Length;
            }
        }
    }

    /// <summary>The longest list of fields <see cref="RentFields"/> reuses (a write sets the header, changed partials and new events).</summary>
    public const int MaxFieldsLength = 32;

    private const int MaxSpareFields = 256;

    // Returned field lists, per exact length (a write's Set is the whole array); made on first use.
    private readonly Stack<KeyValuePair<byte[], ReadOnlyMemory<byte>>[]>?[] fieldLists = new Stack<KeyValuePair<byte[], ReadOnlyMemory<byte>>[]>?[MaxFieldsLength + 1];

    /// <summary>Field lists handed out since creation (reused or new).</summary>
    public long FieldsRented { get; private set; }

    /// <summary>Field lists handed out that were reused.</summary>
    public long FieldsReused { get; private set; }

    /// <summary>
    /// An array of exactly <paramref name="length"/> fields for a state write's <see cref="StateFieldChanges.Set"/>: one
    /// given back with <see cref="ReturnFields"/> if any, else a new one. Its entries are default.
    /// </summary>
    public KeyValuePair<byte[], ReadOnlyMemory<byte>>[] RentFields(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length <= MaxFieldsLength)
        {
            lock (gate)
            {
                FieldsRented++;
                if (fieldLists[length] is { } stack && stack.TryPop(out var fields))
                {
                    FieldsReused++;
                    return fields;
                }
            }
        }

        return new KeyValuePair<byte[], ReadOnlyMemory<byte>>[length];
    }

    /// <summary>Takes back a list <see cref="RentFields"/> handed out; nothing may read or write it afterwards.</summary>
    public void ReturnFields(KeyValuePair<byte[], ReadOnlyMemory<byte>>[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Length > MaxFieldsLength)
        {
            return;
        }

        // Cleared: a spare list keeps no field's bytes alive, and a reader that kept it past its return finds no fields.
        Array.Clear(fields);
        lock (gate)
        {
            var stack = fieldLists[fields.Length] ??= new Stack<KeyValuePair<byte[], ReadOnlyMemory<byte>>[]>();
            if (stack.Count < MaxSpareFields)
            {
                stack.Push(fields);
            }
        }
    }

    private static int ClassOf(int size) => Math.Max(0, (size - 1) / Granularity);
}
