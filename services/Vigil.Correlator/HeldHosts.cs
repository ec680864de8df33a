using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// quiet for the lateness). A priority queue by due time keeps each scan to the states actually due, and a take walks
/// only a state's due arrivals.
/// The per-state records are values in one dictionary and the arrivals are chains through one shared array whose freed
/// slots are reused, and a take fills lists reused by the next one: holding, advancing and releasing states allocates
/// nothing per event once the structures have grown to the number of held states.
/// </remarks>
internal sealed class HeldHosts
{
    private const int None = -1;

    private readonly Dictionary<StateKey, Entry> held = [];

    // Due times; an entry whose due time has moved since it was queued is skipped when dequeued (lazy deletion).
    private readonly PriorityQueue<StateKey, DateTimeOffset> due = new();

    // What the last take returned and the arrivals of the states it took (their HeldArrivals view these).
    private readonly List<HeldState> taken = [];
    private readonly List<HeldArrival> takenArrivals = [];

    // Every held state's arrivals, oldest first, each a chain through this array; freed nodes form the free chain.
    private Node[] nodes = new Node[64];
    private int used;
    private int free = None;

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
            if (!held.Remove(key, out var removed))
            {
                return null;
            }

            FreeChain(removed.Head);
            return new HeldChange(partition.Partition, key, false);
        }

        // A reference into the dictionary: valid while nothing is added to it, which nothing below does.
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(held, key, out var existed);
        if (!existed)
        {
            entry = new Entry { Head = None, Tail = None };
        }

        entry.Partition = partition;
        entry.LastEvent = now;
        if (newestBuffered is { } newest && (entry.Head == None || entry.NewestArrival < newest))
        {
            // Only a batch that moved the newest buffered position adds an arrival: an event it inserted before that
            // position is covered by the earlier arrival, since nothing before that one can still arrive once it is due.
            Append(ref entry, new HeldArrival(now, newest));
        }

        Schedule(key, ref entry);
        return existed ? null : new HeldChange(partition.Partition, key, true);
    }

    /// <summary>
    /// Takes out the states due by <paramref name="now"/>: each with the position its buffer may be released through
    /// (its arrivals the lateness old, which it is taken with) and whether it has been quiet for the lateness (then
    /// everything it holds may go, and it is taken with all its arrivals). The list (and the states' arrivals) is reused
    /// by the next take: release what it holds before taking again.
    /// </summary>
    /// <remarks>
    /// A state with arrivals not yet due stays in the table with those, due again when the oldest of them is: a state
    /// that receives events in every batch has an arrival per batch over the whole lateness, and taking and putting back
    /// all of them at every take cost a walk of the chain per batch per held state. Its release then keeps it as it is
    /// (<see cref="Keep"/>), or drops it when it holds nothing more (<see cref="Drop"/>).
    /// </remarks>
    public List<HeldState> TakeDue(DateTimeOffset now)
    {
        taken.Clear();
        takenArrivals.Clear();
        while (due.TryPeek(out var key, out var at) && at <= now)
        {
            due.Dequeue();

            // A reference into the dictionary: valid while nothing is added to or removed from it, which happens only
            // once its fields are read.
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(held, key);
            if (Unsafe.IsNullRef(ref entry) || entry.Due != at)
            {
                continue;
            }

            var lateness = key.Rule.Engine.Options.Lateness;
            var quiet = now - entry.LastEvent >= lateness;
            EventPosition? through = null;
            var start = takenArrivals.Count;

            // Oldest first, so the due arrivals lead the chain (one behind a newer arrival, should the clock have stepped
            // back, waits for a later take); a quiet state is taken with all of them.
            var n = entry.Head;
            while (n != None)
            {
                var arrival = nodes[n].Arrival;
                var isDue = now - arrival.At >= lateness;
                if (!isDue && !quiet)
                {
                    break;
                }

                takenArrivals.Add(arrival);
                if (isDue)
                {
                    through = through is { } p && p > arrival.Through ? p : arrival.Through;
                }

                n = Free(n);
            }

            var arrivals = new HeldArrivals(takenArrivals, start, takenArrivals.Count - start);
            taken.Add(new HeldState(key, entry.Partition, entry.LastEvent, arrivals, through, quiet, TakenAt: now));
            if (n == None)
            {
                held.Remove(key);
                continue;
            }

            // The arrivals not yet due stay, due when the first of them is (queued anew even if that is when it was).
            entry.Head = n;
            entry.Due = default;
            Schedule(key, ref entry);
        }

        return taken;
    }

    /// <summary>
    /// A released state that holds nothing more: no longer held.
    /// </summary>
    /// <remarks>
    /// A state taken with arrivals not yet due stayed in the table with those (<see cref="TakeDue"/>); they go now, and
    /// a failed write's <see cref="Restore"/> puts the state back with the arrivals it was taken with. That can only
    /// release its later events later (once it is quiet for the lateness, or through a later arrival), never earlier,
    /// and a state whose events are all released has no events after its due arrivals unless its state limit evicted
    /// them.
    /// </remarks>
    public void Drop(StateKey key) => Forget(key);

    /// <summary>Takes out every state of <paramref name="partitions"/> (revoked or lost): all they hold is to be released or left.</summary>
    public List<HeldState> TakePartitions(IReadOnlyCollection<TopicPartitionRef> partitions)
    {
        // Rare (a rebalance): its own lists, so it never disturbs what a take by due time returned.
        var set = partitions.ToHashSet();
        var buffer = new List<HeldArrival>();
        var result = new List<HeldState>();
        foreach (var (key, entry) in held.Where(e => set.Contains(e.Value.Partition)).ToList())
        {
            held.Remove(key);
            var start = buffer.Count;
            for (var n = entry.Head; n != None; n = nodes[n].Next)
            {
                buffer.Add(nodes[n].Arrival);
            }

            FreeChain(entry.Head);
            result.Add(new HeldState(key, entry.Partition, entry.LastEvent, new HeldArrivals(buffer, start, buffer.Count - start), null, Quiet: true, TakenAt: null));
        }

        return result;
    }

    /// <summary>
    /// Puts back states whose release failed, as they were taken, so the next scan (or batch) retries them at once.
    /// </summary>
    /// <remarks>
    /// The take left a state with arrivals not yet due in the table with those, or the failed release already kept it
    /// (<see cref="Keep"/> ran before its write failed): that entry's arrivals are merged with the ones it was taken
    /// with, so its due arrivals are due again now, not one lateness later. Arrivals recorded since the take (none while
    /// the handler holds its lock) stay too.
    /// </remarks>
    public void Restore(IEnumerable<HeldState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        foreach (var state in states)
        {
            if (held.Remove(state.Key, out var kept))
            {
                RestoreOver(state, kept);
                continue;
            }

            Put(state, keepAll: true, state.LastEvent);
        }
    }

    /// <summary>
    /// Forgets that <paramref name="key"/> is held (a failed batch started holding it, and the store's held set never
    /// learnt it): the retry's <see cref="Update"/> then reports it as newly held again, to be recorded.
    /// </summary>
    public void Forget(StateKey key)
    {
        if (held.Remove(key, out var removed))
        {
            FreeChain(removed.Head);
        }
    }

    /// <summary>
    /// Keeps a released state that still holds something: its arrivals not yet due when it was taken stay (a state taken
    /// with some stayed in the table, and stays as it is); a state left with none (it holds only events a previous owner
    /// buffered, or matches awaiting a missing-event window) is due again once it has been quiet for the lateness from
    /// <paramref name="now"/>.
    /// </summary>
    public void Keep(HeldState state, DateTimeOffset now) => Put(state, keepAll: false, now);

    /// <param name="lastEvent">When the state last received events, if no arrival stays (else its own).</param>
    private void Put(HeldState state, bool keepAll, DateTimeOffset lastEvent)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(held, state.Key, out var existed);
        if (existed)
        {
            return;
        }

        entry = new Entry { Partition = state.Partition, Head = None, Tail = None };
        var lateness = state.Key.Rule.Engine.Options.Lateness;
        for (var i = 0; i < state.Arrivals.Count; i++)
        {
            var arrival = state.Arrivals[i];
            if (keepAll || (state.TakenAt is { } takenAt && takenAt - arrival.At < lateness))
            {
                Append(ref entry, arrival);
            }
        }

        entry.LastEvent = keepAll || entry.Head != None ? state.LastEvent : lastEvent;
        Schedule(state.Key, ref entry);
    }

    /// <summary>Puts <paramref name="state"/> back as taken over the entry <paramref name="kept"/> left (removed already).</summary>
    private void RestoreOver(HeldState state, Entry kept)
    {
        // A failure path: a list per state is fine. The taken arrivals, then those of the entry it does not have
        // (a kept arrival is one of the taken ones), in arrival order.
        var arrivals = new List<HeldArrival>(state.Arrivals.Count);
        for (var i = 0; i < state.Arrivals.Count; i++)
        {
            arrivals.Add(state.Arrivals[i]);
        }

        for (var n = kept.Head; n != None; n = nodes[n].Next)
        {
            if (!arrivals.Contains(nodes[n].Arrival))
            {
                arrivals.Add(nodes[n].Arrival);
            }
        }

        FreeChain(kept.Head);
        arrivals.Sort((a, b) => a.At.CompareTo(b.At));

        // A reference into the dictionary: valid while nothing is added to it, which nothing below does.
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(held, state.Key, out _);
        entry = new Entry { Partition = state.Partition, Head = None, Tail = None };
        var newest = arrivals.Count > 0 ? arrivals[0].Through : default;
        foreach (var arrival in arrivals)
        {
            Append(ref entry, arrival);
            newest = newest < arrival.Through ? arrival.Through : newest;
        }

        entry.NewestArrival = newest;

        // When it last received events as taken: a keep with no arrival left restarted that clock at the release.
        entry.LastEvent = state.LastEvent;
        Schedule(state.Key, ref entry);
    }

    private void Schedule(StateKey key, ref Entry entry)
    {
        var lateness = key.Rule.Engine.Options.Lateness;
        var at = (entry.Head != None ? nodes[entry.Head].Arrival.At : entry.LastEvent) + lateness;
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

    private void Append(ref Entry entry, HeldArrival arrival)
    {
        int node;
        if (free != None)
        {
            node = free;
            free = nodes[node].Next;
        }
        else
        {
            if (used == nodes.Length)
            {
                Array.Resize(ref nodes, nodes.Length * 2);
            }

            node = used++;
        }

        nodes[node] = new Node(arrival, None);
        if (entry.Tail == None)
        {
            entry.Head = node;
        }
        else
        {
            nodes[entry.Tail].Next = node;
        }

        entry.Tail = node;
        entry.NewestArrival = arrival.Through;
    }

    private void FreeChain(int head)
    {
        while (head != None)
        {
            head = Free(head);
        }
    }

    /// <summary>Frees one node of a chain; returns the next.</summary>
    private int Free(int node)
    {
        var next = nodes[node].Next;

        // Cleared, so a freed slot keeps no event id alive.
        nodes[node] = new Node(default, free);
        free = node;
        return next;
    }

    /// <summary>One held state: its partition, last events, due time, newest arrival and chain of arrivals.</summary>
    private record struct Entry(TopicPartitionRef Partition, DateTimeOffset LastEvent, DateTimeOffset Due, EventPosition NewestArrival, int Head, int Tail);

    /// <summary>An arrival and the next one of the same state (<see cref="None"/> at the end of the chain).</summary>
    private record struct Node(HeldArrival Arrival, int Next);
}
