using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Vigil.Baseline;

/// <summary>
/// Values derived from a key once and then looked up, for the per-event work of the baseline (image identities,
/// signature and peer texts, Redis keys). Bounded and evicting: keys live in two generations of at most half the
/// capacity each; when the current one fills, it becomes the previous one and the former previous one is dropped,
/// and a key found only in the previous generation moves to the current one. So keys in use stay cached, keys not
/// used for a generation leave, and a stream of ever-new values costs at most <c>capacity</c> entries (a cache that
/// stopped remembering once full would derive every newer key each time, forever). Safe for concurrent use.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly int generationSize;
    private readonly IEqualityComparer<TKey>? comparer;
    private readonly Lock gate = new();
    private ConcurrentDictionary<TKey, TValue> current;
    private ConcurrentDictionary<TKey, TValue> previous;

    // Counted apart: ConcurrentDictionary.Count takes every lock of the table.
    private int count;

    public BoundedCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        generationSize = capacity / 2;
        this.comparer = comparer;
        current = new ConcurrentDictionary<TKey, TValue>(comparer);
        previous = new ConcurrentDictionary<TKey, TValue>(comparer);
    }

    /// <summary>Keys cached now (both generations).</summary>
    public int Count => Volatile.Read(ref current).Count + Volatile.Read(ref previous).Count;

    /// <summary>The value of <paramref name="key"/> when the current generation holds it (nothing derived or moved).</summary>
    public bool TryGetCurrent(TKey key, [MaybeNullWhen(false)] out TValue value) => Volatile.Read(ref current).TryGetValue(key, out value);

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> derive)
    {
        var now = Volatile.Read(ref current);
        if (now.TryGetValue(key, out var known))
        {
            return known;
        }

        // Still in use: back into the current generation, so it survives the next turn.
        var value = Volatile.Read(ref previous).TryGetValue(key, out var older) ? older : derive(key);
        if (now.TryAdd(key, value) && Interlocked.Increment(ref count) >= generationSize)
        {
            Turn(now);
        }

        return value;
    }

    /// <summary>As <see cref="GetOrAdd(TKey, Func{TKey, TValue})"/>, deriving with <paramref name="state"/> (no closure per call).</summary>
    public TValue GetOrAdd<TState>(TKey key, Func<TKey, TState, TValue> derive, TState state)
    {
        var now = Volatile.Read(ref current);
        if (now.TryGetValue(key, out var known))
        {
            return known;
        }

        var value = Volatile.Read(ref previous).TryGetValue(key, out var older) ? older : derive(key, state);
        if (now.TryAdd(key, value) && Interlocked.Increment(ref count) >= generationSize)
        {
            Turn(now);
        }

        return value;
    }

    private void Turn(ConcurrentDictionary<TKey, TValue> full)
    {
        lock (gate)
        {
            if (!ReferenceEquals(current, full))
            {
                return; // Another thread turned it already.
            }

            Volatile.Write(ref previous, full);
            Volatile.Write(ref current, new ConcurrentDictionary<TKey, TValue>(comparer));
            Volatile.Write(ref count, 0);
        }
    }
}
