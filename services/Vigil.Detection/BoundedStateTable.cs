namespace Vigil.Detection;

/// <summary>
/// In-memory state with a cap: at most <see cref="Capacity"/> entries, the least recently used evicted first and
/// counted in <see cref="Evictions"/>. The backtest's stand-in for the correlator's Redis threshold and new-terms keys.
/// </summary>
public sealed class BoundedStateTable<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _entries = [];
    private readonly LinkedList<(TKey Key, TValue Value)> _recency = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public long Evictions { get; private set; }

    public int Count => _entries.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
            _recency.AddLast(node);
            value = node.Value.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        if (_entries.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
        }
        else if (_entries.Count >= Capacity)
        {
            var oldest = _recency.First!;
            _recency.RemoveFirst();
            _entries.Remove(oldest.Value.Key);
            Evictions++;
        }

        _entries[key] = _recency.AddLast((key, value));
    }

    public void Remove(TKey key)
    {
        if (_entries.Remove(key, out var node))
        {
            _recency.Remove(node);
        }
    }
}
