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

    /// <summary>Partial sequences (or sample events) waiting for their next step.</summary>
    public int PendingSequenceCount => Partials.Values.Sum(slots => slots.Count(p => p is not null));

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

    internal List<PendingEvent<TEvent>> Buffer { get; } = [];

    /// <summary>Matches reported before the time-ordered pass reached their last event, in report order.</summary>
    internal List<EarlyReport> EarlyReports { get; } = [];

    /// <summary>Per join key, slot i holds the partial sequence that has matched steps 0..i (one per state, newest wins).</summary>
    internal Dictionary<JoinKey, PartialSequence<TEvent>?[]> Partials { get; } = [];

    internal PartialSequence<TEvent>?[] SlotsFor(JoinKey key)
    {
        if (!Partials.TryGetValue(key, out var slots))
        {
            slots = new PartialSequence<TEvent>?[SlotCount];
            Partials[key] = slots;
        }

        return slots;
    }

    internal void DropIfEmpty(JoinKey key)
    {
        if (Partials.TryGetValue(key, out var slots) && Array.TrueForAll(slots, s => s is null))
        {
            Partials.Remove(key);
        }
    }
}
