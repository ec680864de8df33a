using Vigil.Detection;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>
/// States whose newest events are held back for the lateness window, with the partition they came from
/// and when (wall clock) they last received an event, so quiet hosts can be released and revoked
/// partitions flushed. Only touched under the handler's lock.
/// </summary>
internal sealed class HeldHosts
{
    private readonly Dictionary<StateKey, (TopicPartitionRef Partition, DateTimeOffset LastEvent)> held = [];

    public int Count => held.Count;

    /// <summary>Records whether <paramref name="key"/> holds back events now; returns the change to persist, if any.</summary>
    public HeldChange? Update(StateKey key, TopicPartitionRef partition, int bufferedEvents, DateTimeOffset now)
    {
        if (bufferedEvents > 0)
        {
            var added = !held.ContainsKey(key);
            held[key] = (partition, now);
            return added ? new HeldChange(partition.Partition, key, true) : null;
        }

        return held.Remove(key) ? new HeldChange(partition.Partition, key, false) : null;
    }

    /// <summary>States that received nothing for longer than their rule's lateness: nothing older can still arrive for them.</summary>
    public List<HeldState> TakeQuiet(DateTimeOffset now) => Take(e => now - e.Value.LastEvent >= e.Key.Rule.Engine.Options.Lateness);

    public List<HeldState> TakePartitions(IReadOnlyCollection<TopicPartitionRef> partitions)
    {
        var set = partitions.ToHashSet();
        return Take(e => set.Contains(e.Value.Partition));
    }

    /// <summary>Puts back states whose release failed, so the next scan retries them.</summary>
    public void Restore(IEnumerable<HeldState> states)
    {
        foreach (var state in states)
        {
            held.TryAdd(state.Key, (state.Partition, state.LastEvent));
        }
    }

    private List<HeldState> Take(Func<KeyValuePair<StateKey, (TopicPartitionRef Partition, DateTimeOffset LastEvent)>, bool> predicate)
    {
        var taken = held.Where(predicate).Select(e => new HeldState(e.Key, e.Value.Partition, e.Value.LastEvent)).ToList();
        foreach (var state in taken)
        {
            held.Remove(state.Key);
        }

        return taken;
    }
}
