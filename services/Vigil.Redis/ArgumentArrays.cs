using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>
/// Argument arrays of recent script calls, kept for later ones. A batch's write is a script call whose arguments are an
/// array of everything it sets (a correlator's field names and values, the baseline's views and profile sums): for a
/// batch of thousands of events an array of tens to hundreds of kilobytes, often on the large-object heap, per batch.
/// A reused array may be longer than the call needs: the scripts that take them read only the arguments their counts
/// name, and the rest are sent as empty strings (at most an eighth more arguments). Thread-safe (writes to several
/// slots of a cluster run at once).
/// </summary>
public sealed class ArgumentArrays
{
    /// <summary>Below this many arguments a write takes an array of its own length (small, and never padded).</summary>
    public const int MinPooled = 256;

    private const int MaxKept = 4;

    // An array larger than this (a rare huge batch) is not kept, so the spares stay small next to the states in memory.
    private const int MaxKeptLength = 1 << 20;

    private readonly List<RedisValue[]> spares = new(MaxKept);
    private readonly Lock gate = new();

    /// <summary>Arrays handed out since creation (reused or new), for tests.</summary>
    public long Rented { get; private set; }

    /// <summary>Arrays handed out that were reused.</summary>
    public long Reused { get; private set; }

    /// <summary>
    /// An array of at least <paramref name="count"/> arguments, every one past <paramref name="count"/> an empty string:
    /// a spare at most an eighth longer if one is kept, else a new one a sixteenth longer (so a batch a little larger
    /// than this one reuses it).
    /// </summary>
    public RedisValue[] Rent(int count)
    {
        if (count < MinPooled)
        {
            return new RedisValue[count];
        }

        RedisValue[]? array = null;
        lock (gate)
        {
            Rented++;
            var best = -1;
            for (var i = 0; i < spares.Count; i++)
            {
                var length = spares[i].Length;
                if (length >= count && length - count <= count / 8 && (best < 0 || length < spares[best].Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                Reused++;
                array = spares[best];
                spares.RemoveAt(best);
            }
        }

        array ??= new RedisValue[count + (count / 16)];
        array.AsSpan(count).Fill(RedisValue.EmptyString);
        return array;
    }

    /// <summary>Keeps <paramref name="array"/> for a later write; only once the call that sent it completed.</summary>
    public void Return(RedisValue[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length < MinPooled || array.Length > MaxKeptLength)
        {
            return;
        }

        // Nothing of this write stays reachable through the spare (its values may be views of pooled arrays).
        Array.Clear(array);
        lock (gate)
        {
            if (spares.Count == MaxKept)
            {
                spares.RemoveAt(0);
            }

            spares.Add(array);
        }
    }
}
