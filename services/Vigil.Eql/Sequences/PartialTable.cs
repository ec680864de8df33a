using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Vigil.Eql.Sequences;

/// <summary>
/// The pending partial sequences of one state, per join key, in the order the keys last changed (least recent first),
/// with what changed since the state was last written. Keeping both here is what lets a flooding host cost what its
/// batch changed: eviction takes keys from the front of the order (no sort), and a write stores the changed keys'
/// fields and deletes the removed ones (no rewrite of the rest).
/// </summary>
internal sealed class PartialTable<TEvent>(int slotCount) : IEnumerable<KeyValuePair<JoinKey, PartialSequence<TEvent>?[]>>
{
    private readonly Dictionary<JoinKey, Entry> entries = [];
    private readonly LinkedList<JoinKey> recency = new();

    // Numbers each change, so the eviction order survives a write and a read (each key's field carries its number).
    private long ticks;

    public int Count => entries.Count;

    /// <summary>Keys created, advanced or consumed since the state was last written, whether still present or not.</summary>
    public HashSet<JoinKey> Changed { get; } = [];

    /// <summary>
    /// Keys removed since the state was last written whose field the store still holds (some may be present again:
    /// their new field replaces the old one).
    /// </summary>
    public HashSet<JoinKey> Removed { get; } = [];

    /// <summary>Bytes the store holds for the fields of the present keys (as last written).</summary>
    public long StoredBytes { get; private set; }

    /// <summary>The key that changed longest ago: the first to evict.</summary>
    public JoinKey? LeastRecent => recency.First?.Value;

    public IEnumerable<PartialSequence<TEvent>?[]> Values => entries.Values.Select(e => e.Slots);

    public bool TryGetValue(JoinKey key, [MaybeNullWhen(false)] out PartialSequence<TEvent>?[] slots)
    {
        if (entries.TryGetValue(key, out var entry))
        {
            slots = entry.Slots;
            return true;
        }

        slots = null;
        return false;
    }

    public bool ContainsKey(JoinKey key) => entries.ContainsKey(key);

    /// <summary>The key's slots, created empty if absent; either way the key counts as changed now.</summary>
    public PartialSequence<TEvent>?[] GetOrAdd(JoinKey key)
    {
        if (entries.TryGetValue(key, out var entry))
        {
            Touch(entry);
            return entry.Slots;
        }

        entry = new Entry(new PartialSequence<TEvent>?[slotCount], recency.AddLast(key)) { Tick = ++ticks };
        entries[key] = entry;
        Changed.Add(key);

        // Re-created before the deletion was written, the key stays in Removed: if it is still present at the write,
        // its new field overwrites the old one (the write skips the deletion); if it goes again before the write, the
        // store's old field must still be deleted.
        return entry.Slots;
    }

    /// <summary>Records that the key's slots were changed in place: it moves to the back of the eviction order.</summary>
    public void Touch(JoinKey key)
    {
        if (entries.TryGetValue(key, out var entry))
        {
            Touch(entry);
        }
    }

    /// <summary>Records that the key's slots were changed in place without moving it in the eviction order (pruning).</summary>
    public void MarkChanged(JoinKey key)
    {
        if (entries.ContainsKey(key))
        {
            Changed.Add(key);
        }
    }

    public bool Remove(JoinKey key) => Remove(key, out _);

    public bool Remove(JoinKey key, [MaybeNullWhen(false)] out PartialSequence<TEvent>?[] slots)
    {
        if (!entries.Remove(key, out var entry))
        {
            slots = null;
            return false;
        }

        recency.Remove(entry.Node);
        Changed.Remove(key);
        if (entry.StoredBytes > 0)
        {
            StoredBytes -= entry.StoredBytes;
            Removed.Add(key);
        }

        slots = entry.Slots;
        return true;
    }

    /// <summary>
    /// Adds a key as read from a store (<paramref name="storedBytes"/> &gt; 0: its field holds exactly these slots) or
    /// copied, after every key loaded before it in the eviction order; <paramref name="tick"/> is its change number as
    /// stored (0: next in order).
    /// </summary>
    public void Load(JoinKey key, PartialSequence<TEvent>?[] slots, int storedBytes, long tick = 0)
    {
        Remove(key);
        Removed.Remove(key);
        ticks = tick > 0 ? Math.Max(ticks, tick) : ticks + 1;
        entries[key] = new Entry(slots, recency.AddLast(key)) { StoredBytes = storedBytes, Tick = tick > 0 ? tick : ticks };
        StoredBytes += storedBytes;
        if (storedBytes == 0)
        {
            Changed.Add(key);
        }
    }

    /// <summary>The key's change number: keys are evicted in its order.</summary>
    public long TickOf(JoinKey key) => entries[key].Tick;

    /// <summary>The bytes of the key's field as last written (0: not stored).</summary>
    public int StoredSize(JoinKey key) => entries.TryGetValue(key, out var entry) ? entry.StoredBytes : 0;

    /// <summary>Records that the key's field now holds <paramref name="bytes"/> bytes in the store.</summary>
    public void MarkStored(JoinKey key, int bytes)
    {
        var entry = entries[key];
        StoredBytes += bytes - entry.StoredBytes;
        entry.StoredBytes = bytes;
    }

    /// <summary>Forgets what the store holds (it holds nothing of this state any more, or the state moves to a new layout): every key is changed.</summary>
    public void MarkAllUnstored()
    {
        foreach (var (key, entry) in entries)
        {
            entry.StoredBytes = 0;
            Changed.Add(key);
        }

        StoredBytes = 0;
        Removed.Clear();
    }

    /// <summary>Keys in eviction order (least recently changed first).</summary>
    public IEnumerable<JoinKey> KeysByRecency() => recency;

    public IEnumerator<KeyValuePair<JoinKey, PartialSequence<TEvent>?[]>> GetEnumerator() =>
        entries.Select(e => new KeyValuePair<JoinKey, PartialSequence<TEvent>?[]>(e.Key, e.Value.Slots)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Touch(Entry entry)
    {
        Changed.Add(entry.Node.Value);
        entry.Tick = ++ticks;
        if (recency.Last != entry.Node)
        {
            recency.Remove(entry.Node);
            recency.AddLast(entry.Node);
        }
    }

    private sealed class Entry(PartialSequence<TEvent>?[] slots, LinkedListNode<JoinKey> node)
    {
        public PartialSequence<TEvent>?[] Slots { get; } = slots;

        public LinkedListNode<JoinKey> Node { get; } = node;

        public int StoredBytes { get; set; }

        public long Tick { get; set; }
    }
}
