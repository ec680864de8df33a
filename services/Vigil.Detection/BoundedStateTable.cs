namespace Vigil.Detection;

/// <summary>
/// In-memory state with a cap: at most <see cref="Capacity"/> entries, the least recently used evicted first and
/// counted in <see cref="Evictions"/>. The backtest's stand-in for the correlator's Redis threshold and new-terms keys.
/// </summary>
public sealed class BoundedStateTable<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> entries = [];
    private readonly LinkedList<(TKey Key, TValue Value)> recency = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public long Evictions { get; private set; }

    public int Count => entries.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (entries.TryGetValue(key, out var node))
        {
            recency.Remove(node);
            recency.AddLast(node);
            value = node.Value.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        if (entries.TryGetValue(key, out var node))
        {
            recency.Remove(node);
        }
        else if (entries.Count >= Capacity)
        {
            var oldest = recency.First!;
            recency.RemoveFirst();
            entries.Remove(oldest.Value.Key);
            Evictions++;
        }

        entries[key] = recency.AddLast((key, value));
    }

    public void Remove(TKey key)
    {
        if (entries.Remove(key, out var node))
        {
            recency.Remove(node);
        }
    }
}
