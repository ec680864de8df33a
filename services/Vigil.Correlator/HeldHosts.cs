using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>
/// States whose newest events are held back for the lateness window, with the partition they came from, when (wall
/// clock) they received events, and when each is next due for a release. Only touched under the handler's lock.
/// </summary>
/// <remarks>
/// The lateness bounds how much later than an event an earlier event of the same host can arrive (docs/latency.md).
/// So once the events a state buffered up to some position have waited the lateness since they arrived, nothing
/// before that position can still come, and the state's buffer can be released through it, whether or not the host
/// kept sending since. Each state keeps one <see cref="HeldArrival"/> per batch that raised its newest buffered position,
/// oldest first; it is due when its oldest arrival is the lateness old (or, with no arrival recorded, when it has been
/// quiet for the lateness). A priority queue by due time keeps each scan to the states actually due.
/// </remarks>
internal sealed class HeldHosts
{
    private readonly Dictionary<StateKey, Entry> held = [];

    // Due times; an entry whose due time has moved since it was queued is skipped when dequeued (lazy deletion).
    private readonly PriorityQueue<StateKey, DateTimeOffset> due = new();

    public int Count => held.Count;

    /// <summary>The earliest time a held state is due for a release, or null when none is held.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            while (due.TryPeek(out var key, out var at))
            {
                if (held.TryGetValue(key, out var entry) && entry.Due == at)
                {
                    return at;
                }

                due.Dequeue();
            }

            return null;
        }
    }

    /// <summary>
    /// Records what a state holds back after a batch (or at assignment, for states a previous owner left held:
    /// <paramref name="newestBuffered"/> null); returns the change to persist, if any.
    /// </summary>
    /// <param name="holds">Whether the state holds back buffered events or awaiting matches.</param>
    /// <param name="newestBuffered">The state's newest buffered position, which every buffered event is at or before.</param>
    public HeldChange? Update(StateKey key, TopicPartitionRef partition, bool holds, EventPosition? newestBuffered, DateTimeOffset now)
    {
        if (!holds)
        {
            return held.Remove(key) ? new HeldChange(partition.Partition, key, false) : null;
        }

        var added = !held.TryGetValue(key, out var entry);
        if (added)
        {
            held[key] = entry = new Entry();
        }

        entry!.Partition = partition;
        entry.LastEvent = now;
        if (newestBuffered is { } newest && (entry.Arrivals.Count == 0 || entry.NewestArrival < newest))
        {
            // Only a batch that moved the newest buffered position adds an arrival: an event it inserted before that
            // position is covered by the earlier arrival, since nothing before that one can still arrive once it is due.
            entry.Arrivals.Enqueue(new HeldArrival(now, newest));
            entry.NewestArrival = newest;
        }

        Schedule(key, entry);
        return added ? new HeldChange(partition.Partition, key, true) : null;
    }

    /// <summary>
    /// Takes out the states due by <paramref name="now"/>: each with the position its buffer may be released through
    /// (its arrivals the lateness old) and whether it has been quiet for the lateness (then everything it holds may go).
    /// </summary>
    public List<HeldState> TakeDue(DateTimeOffset now)
    {
        var taken = new List<HeldState>();
        while (due.TryPeek(out var key, out var at) && at <= now)
        {
            due.Dequeue();
            if (!held.TryGetValue(key, out var entry) || entry.Due != at)
            {
                continue;
            }

            held.Remove(key);
            var lateness = key.Rule.Engine.Options.Lateness;
            EventPosition? through = null;
            var remaining = new List<HeldArrival>(entry.Arrivals.Count);
            foreach (var arrival in entry.Arrivals)
            {
                if (now - arrival.At >= lateness)
                {
                    through = through is { } p && p > arrival.Through ? p : arrival.Through;
                }
                else
                {
                    remaining.Add(arrival);
                }
            }

            taken.Add(new HeldState(key, entry.Partition, entry.LastEvent, [.. entry.Arrivals], remaining, through, now - entry.LastEvent >= lateness));
        }

        return taken;
    }

    /// <summary>Takes out every state of <paramref name="partitions"/> (revoked or lost): all they hold is to be released or left.</summary>
    public List<HeldState> TakePartitions(IReadOnlyCollection<TopicPartitionRef> partitions)
    {
        var set = partitions.ToHashSet();
        var taken = new List<HeldState>();
        foreach (var (key, entry) in held.Where(e => set.Contains(e.Value.Partition)).ToList())
        {
            held.Remove(key);
            taken.Add(new HeldState(key, entry.Partition, entry.LastEvent, [.. entry.Arrivals], [], null, Quiet: true));
        }

        return taken;
    }

    /// <summary>Puts back states whose release failed, as they were taken, so the next scan retries them.</summary>
    public void Restore(IEnumerable<HeldState> states)
    {
        foreach (var state in states)
        {
            Put(state, state.Arrivals, state.LastEvent);
        }
    }

    /// <summary>
    /// Keeps a released state that still holds something: its arrivals not yet due stay; a state left with none (it
    /// holds only events a previous owner buffered, or matches awaiting a missing-event window) is due again once it has
    /// been quiet for the lateness from <paramref name="now"/>.
    /// </summary>
    public void Keep(HeldState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        Put(state, state.Remaining, state.Remaining.Count > 0 ? state.LastEvent : now);
    }

    private void Put(HeldState state, IReadOnlyList<HeldArrival> arrivals, DateTimeOffset lastEvent)
    {
        if (held.ContainsKey(state.Key))
        {
            return;
        }

        var entry = new Entry { Partition = state.Partition, LastEvent = lastEvent };
        foreach (var arrival in arrivals)
        {
            entry.Arrivals.Enqueue(arrival);
            entry.NewestArrival = arrival.Through;
        }

        held[state.Key] = entry;
        Schedule(state.Key, entry);
    }

    private void Schedule(StateKey key, Entry entry)
    {
        var lateness = key.Rule.Engine.Options.Lateness;
        var at = (entry.Arrivals.TryPeek(out var oldest) ? oldest.At : entry.LastEvent) + lateness;
        if (entry.Due == at)
        {
            return;
        }

        entry.Due = at;
        due.Enqueue(key, at);
        if (due.Count > (2 * held.Count) + 1024)
        {
            // Mostly entries whose due time moved since (a state without arrivals moves with every event): start over.
            due.Clear();
            foreach (var (k, e) in held)
            {
                due.Enqueue(k, e.Due);
            }
        }
    }

    private sealed class Entry
    {
        public TopicPartitionRef Partition { get; set; }

        public DateTimeOffset LastEvent { get; set; }

        public DateTimeOffset Due { get; set; }

        public Queue<HeldArrival> Arrivals { get; } = new();

        public EventPosition NewestArrival { get; set; }
    }
}
