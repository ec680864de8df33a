namespace Vigil.Eql.Sequences;

/// <summary>
/// Everything one query remembers about one host: the reorder buffer of events not yet released in
/// (@timestamp, event.sequence) order, and per join key one pending partial sequence per step. It is a plain data
/// structure: <see cref="HostStateSerializer{TEvent}"/> turns it into bytes for a store and back. Not thread-safe:
/// one caller at a time per host (the engine and compiled query themselves are immutable and shareable).
/// </summary>
public sealed class HostState<TEvent>
{
    internal HostState(string hostId, int stageCount, int slotCount)
    {
        HostId = hostId;
        StageCount = stageCount;
        SlotCount = slotCount;
        Partials = new PartialTable<TEvent>(slotCount);
    }

    /// <summary>host.id of every event in this state ("" for events without one).</summary>
    public string HostId { get; }

    /// <summary>The largest @timestamp seen among relevant events (epoch ns), or null before the first.</summary>
    public long? LatestTimestamp { get; internal set; }

    /// <summary>The latest "no earlier events will arrive" point given by the caller (epoch ns), if any.</summary>
    public long? ExternalWatermark { get; internal set; }

    /// <summary>The position of the last event released to matching; anything at or before it arrives too late.</summary>
    public EventPosition? LastReleased { get; internal set; }

    /// <summary>Events waiting in the reorder buffer.</summary>
    public int BufferedEventCount => Buffer.Count;

    /// <summary>
    /// The latest position in the reorder buffer, or null when it is empty: releasing through it (see
    /// <see cref="SequenceEngine{TEvent}.ReleaseThrough"/>) releases every event buffered so far.
    /// </summary>
    public EventPosition? NewestBuffered => Buffer.Count == 0 ? null : Buffer[^1].Position;

    /// <summary>Partial sequences (or sample events) waiting for their next step.</summary>
    public int PendingSequenceCount => Partials.Values.Sum(slots => slots.Count(p => p is not null));

    /// <summary>
    /// The bytes this state occupies in a store of per-field writes, as of its last write (header, buffered events and
    /// partials, field names included): the figure its byte limit bounds.
    /// </summary>
    public long StoredBytes => HeaderBytes + BufferStoredBytes + Partials.StoredBytes;

    /// <summary>Join keys holding at least one pending partial: the figure the state limit bounds.</summary>
    public int PendingKeyCount => Partials.Count;

    /// <summary>Completed sequences waiting for a trailing missing-event step's window to pass.</summary>
    public int AwaitingMatchCount => Awaiting.Count;

    /// <summary>True while buffered events or awaiting matches may still produce a match when time moves on.</summary>
    public bool HoldsBackMatches => Buffer.Count > 0 || Awaiting.Count > 0;

    /// <summary>True when nothing is buffered or pending: the state can be deleted.</summary>
    public bool IsEmpty => Buffer.Count == 0 && Partials.Count == 0 && Awaiting.Count == 0 && Sightings.Count == 0 && Sampled.Count == 0;

    internal int StageCount { get; }

    /// <summary>Slots per join key: a sequence's stages but the last, or every filter of a sample.</summary>
    internal int SlotCount { get; }

    /// <summary>Events that satisfied a leading or middle missing-event step, kept for one span.</summary>
    internal List<MissingSighting> Sightings { get; } = [];

    /// <summary>Sequences complete but for a trailing missing-event step, in completion order.</summary>
    internal List<AwaitingMatch<TEvent>> Awaiting { get; } = [];

    /// <summary>Sample join keys already reported, until when (epoch ns) they stay reported.</summary>
    internal Dictionary<JoinKey, long> Sampled { get; } = [];

    /// <summary>The reorder buffer, in release order. Changed only through <see cref="InsertBuffered"/> and <see cref="ReleaseBuffered"/>.</summary>
    internal List<PendingEvent<TEvent>> Buffer { get; } = [];

    /// <summary>Matches reported before the time-ordered pass reached their last event.</summary>
    internal EarlyReportSet EarlyReports { get; } = new();

    /// <summary>Per join key, slot i holds the partial sequence that has matched steps 0..i (one per state, newest wins).</summary>
    internal PartialTable<TEvent> Partials { get; }

    /// <summary>Buffered events added since the state was last written (some may have been released since).</summary>
    internal List<PendingEvent<TEvent>> BufferAdded { get; } = [];

    /// <summary>Released events whose reorder-buffer field the store still holds.</summary>
    internal List<PendingEvent<TEvent>> BufferRemoved { get; } = [];

    /// <summary>Bytes the store holds for the reorder buffer's fields.</summary>
    internal long BufferStoredBytes { get; set; }

    /// <summary>
    /// The start of the header field that never changes for this state (magic, version, fingerprint, host id, stage and
    /// slot counts), encoded once by the serializer named in <see cref="HeaderPrefixOf"/>.
    /// </summary>
    internal byte[]? HeaderPrefix { get; set; }

    /// <summary>The query whose serializer encoded <see cref="HeaderPrefix"/> (its fingerprint is in it).</summary>
    internal object? HeaderPrefixOf { get; set; }

    /// <summary>Bytes of the header field as last written.</summary>
    internal int HeaderBytes { get; set; }

    /// <summary>Set when the store holds this state in another layout (or not at all): the next write replaces it whole.</summary>
    internal bool RewriteAll { get; set; } = true;

    /// <summary>
    /// The buffered events per join key (of any stage they satisfy), kept by an engine that reports early so its preview
    /// visits only the events of the keys a new event can change. Null until that engine first needs it.
    /// </summary>
    internal Dictionary<JoinKey, List<PendingEvent<TEvent>>>? BufferByKey { get; set; }

    /// <summary>
    /// Partial sequences' first @timestamps (with their keys), earliest first, so pruning by maxspan visits only the
    /// partials it drops. May hold entries of partials since consumed; rebuilt when those outnumber the live ones.
    /// </summary>
    internal PriorityQueue<JoinKey, long> Starts { get; } = new();

    internal PartialSequence<TEvent>?[] SlotsFor(JoinKey key) => Partials.GetOrAdd(key);

    /// <summary>Refills <see cref="Starts"/> from the pending partials (after a load, or when stale entries pile up).</summary>
    internal void RebuildStarts()
    {
        Starts.Clear();
        foreach (var (key, slots) in Partials)
        {
            foreach (var partial in slots)
            {
                if (partial is not null)
                {
                    Starts.Enqueue(key, partial.Start);
                }
            }
        }
    }

    internal void DropIfEmpty(JoinKey key)
    {
        if (Partials.TryGetValue(key, out var slots) && Array.TrueForAll(slots, s => s is null))
        {
            Partials.Remove(key);
        }
    }

    internal void InsertBuffered(int index, PendingEvent<TEvent> e)
    {
        Buffer.Insert(index, e);
        e.InBuffer = true;
        BufferAdded.Add(e);
    }

    /// <summary>
    /// Pooled arrays of events that left the reorder buffer since the state was last written. The store may still
    /// hold a write that reads them (their buffer fields were set from these arrays), so they go back to their pool only
    /// once the next write of the state is stored (<see cref="StateFieldChanges.Stored"/>), or at once when the state is
    /// deleted.
    /// </summary>
    internal List<(HeldBufferPool Pool, byte[] Array)>? Returning { get; set; }

    /// <summary>
    /// Called as a partial sequence (or awaiting match) leaves the state for good: its events' kept arrays that no other
    /// partial holds join <see cref="Returning"/>, as the last store write may still read them.
    /// </summary>
    internal void Ended(PartialSequence<TEvent> partial)
    {
        foreach (var e in partial.Events)
        {
            e.Holders--;
            if (e.TakeKept() is { } kept)
            {
                (Returning ??= StateFieldChanges.RentList()).Add(kept);
            }
        }
    }

    /// <summary>
    /// For a state leaving memory for good (its next use reads it from a store): hands the size-class arrays it holds from
    /// a <see cref="HeldBufferPool"/> to <paramref name="into"/>: its buffered events', its partials' and awaiting
    /// matches' kept events', and <see cref="Returning"/> (events released since its last write, and a serializer's
    /// partial-field arrays). Reorder-buffer field names (<see cref="PendingEvent{TEvent}.BufferName"/>) stay with the
    /// garbage collector. They go back to their pools (<see cref="HeldBufferPool.ReturnAll"/>) once no store write reads
    /// them; the caller must not keep using the state. Its events are left without bytes, so a late reader fails loudly
    /// instead of reading a later event's.
    /// </summary>
    public void TakeArrays(List<(HeldBufferPool Pool, byte[] Array)> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (Returning is { } returning)
        {
            into.AddRange(returning);
            returning.Clear();
            StateFieldChanges.Return(returning);
            Returning = null;
        }

        foreach (var e in Buffer)
        {
            Take(e, into);
        }

        foreach (var (_, slots) in Partials)
        {
            foreach (var partial in slots)
            {
                if (partial is not null)
                {
                    foreach (var e in partial.Events)
                    {
                        Take(e, into);
                    }
                }
            }
        }

        foreach (var awaiting in Awaiting)
        {
            foreach (var e in awaiting.Sequence.Events)
            {
                Take(e, into);
            }
        }

        // An event several partials hold is taken once: the first take leaves it without an array.
        static void Take(PendingEvent<TEvent> e, List<(HeldBufferPool Pool, byte[] Array)> into)
        {
            if (e.TakeOnLeaving() is { } taken)
            {
                into.Add(taken);
            }
        }
    }

    /// <summary>For a state no store holds (a backtest's): the released events' arrays go back to their pool at once.</summary>
    internal void ReturnReleased()
    {
        StateFieldChanges.Return(Returning);
        Returning = null;
    }

    /// <summary>Takes the first <paramref name="count"/> events out of the buffer (they have been matched).</summary>
    internal void ReleaseBuffered(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var e = Buffer[i];
            e.InBuffer = false;
            if (e.Pool is not null)
            {
                // An event that matching kept (in a partial, awaiting match or sample) keeps a copy of its own; the rest
                // of the state no longer reads the array.
                (Returning ??= StateFieldChanges.RentList()).Add(e.TakePooled(SlotCount));
            }
            else if (e.TakeKept() is { } kept)
            {
                // A first step's kept array that no partial took (or whose partials already ended in this release).
                (Returning ??= StateFieldChanges.RentList()).Add(kept);
            }

            if (e.BufferBytes > 0)
            {
                BufferStoredBytes -= e.BufferBytes;
                e.BufferBytes = 0;
                BufferRemoved.Add(e);
            }
        }

        Buffer.RemoveRange(0, count);
    }

    /// <summary>Forgets what the store holds of this state: the next write replaces it whole.</summary>
    internal void MarkAllUnstored()
    {
        RewriteAll = true;
        Partials.MarkAllUnstored();
        BufferAdded.Clear();
        foreach (var e in BufferRemoved)
        {
            e.BufferName = null;
        }

        BufferRemoved.Clear();
        foreach (var e in Buffer)
        {
            e.BufferBytes = 0;
            e.BufferName = null;
            BufferAdded.Add(e);
        }

        BufferStoredBytes = 0;
        HeaderBytes = 0;
    }
}
