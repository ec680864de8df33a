using System.Collections.Concurrent;

namespace Vigil.Baseline;

/// <summary>
/// Values derived from a key once and then looked up, for the per-event work of the baseline (image identities,
/// signature and peer texts). Bounded: once <c>capacity</c> keys are held, new keys are derived each time and not
/// remembered, so a stream of ever-new values costs time, never memory. Safe for concurrent use.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> values = new(comparer);
    private int count;

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> derive)
    {
        if (values.TryGetValue(key, out var known))
        {
            return known;
        }

        var value = derive(key);
        // Counted apart: ConcurrentDictionary.Count takes every lock of the table.
        if (Volatile.Read(ref count) < capacity && values.TryAdd(key, value))
        {
            Interlocked.Increment(ref count);
        }

        return value;
    }
}
