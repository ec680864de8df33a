using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>
/// One batch's unit of work as it moves down the route: the <see cref="EventRouter"/> fills the events per state and
/// the stateless matches, the <see cref="OwnedStates"/> load the states, the <see cref="CorrelationEngine"/> adds what
/// the states produced and seals the writes, the <see cref="AlertOutbox"/> publishes the matches, and the
/// <see cref="OwnedStates"/> commit the changes. The handler keeps one per route and <see cref="Clear"/>s it for the next
/// batch, so its collections (and the per-state work lists) are allocated once, not once per batch.
/// </summary>
public sealed class CorrelationBatch
{
    // The work lists of states a cleared batch no longer needs, handed out again by WorkFor.
    private readonly Stack<StateWork> spare = new();

    /// <summary>The relevant events of each (rule, host) state, in batch order, and the partition they came from.</summary>
    public Dictionary<StateKey, StateWork> Work { get; } = [];

    /// <summary>Events for threshold and new_terms rules, in batch order.</summary>
    public List<AggregationWork> Aggregations { get; } = [];

    /// <summary>Completed matches, stateless ones first, in the order they completed.</summary>
    public List<(CompiledRule Rule, SequenceMatch<TelemetryEvent> Match)> Matches { get; } = [];

    /// <summary>States the engine changed: to be written.</summary>
    public Dictionary<StateKey, HostState<TelemetryEvent>> Changed { get; } = [];

    /// <summary>States that started or stopped holding back events.</summary>
    public List<HeldChange> HeldChanges { get; } = [];

    /// <summary>Telemetry partitions the batch's records came from.</summary>
    public HashSet<int> Partitions { get; } = [];

    /// <summary>The states the batch needs (with the partition of each), as the <see cref="OwnedStates"/> load them.</summary>
    public List<(StateKey Key, int Partition)> Wanted { get; } = [];

    /// <summary>The states <see cref="Wanted"/> named, as loaded.</summary>
    public Dictionary<StateKey, HostState<TelemetryEvent>> Loaded { get; } = [];

    /// <summary>What <see cref="CorrelationEngine.Seal"/> made of <see cref="Changed"/>: the writes to commit.</summary>
    public List<StateWrite> Writes { get; } = [];

    /// <summary>The states the batch routed events to (kept past <see cref="ReleaseRecords"/>, to forget if its write fails).</summary>
    public List<StateKey> Touched { get; } = [];

    /// <summary>
    /// The held states the batch took to release, as taken (a copy: the take's lists are reused by the next take), to put
    /// back if its write fails; kept past <see cref="ReleaseRecords"/>. Its arrivals are views of <see cref="TakenArrivals"/>.
    /// </summary>
    internal List<HeldState> Taken { get; } = [];

    internal List<HeldArrival> TakenArrivals { get; } = [];

    public bool IsEmpty => Work.Count == 0 && Matches.Count == 0 && Aggregations.Count == 0;

    /// <summary>The work of <paramref name="key"/>'s state, started (from a list a cleared batch left) if it has none yet.</summary>
    public StateWork WorkFor(StateKey key, TopicPartitionRef partition)
    {
        if (!Work.TryGetValue(key, out var work))
        {
            work = spare.TryPop(out var reused) ? reused : new StateWork(partition);
            work.Start(partition);
            Work[key] = work;
        }

        return work;
    }

    /// <summary>Fills <see cref="Wanted"/> with the states of <see cref="Work"/>.</summary>
    public List<(StateKey Key, int Partition)> WantWork()
    {
        Wanted.Clear();
        foreach (var (key, work) in Work)
        {
            Wanted.Add((key, work.Partition.Partition));
        }

        return Wanted;
    }

    /// <summary>
    /// Lets go of the batch's events, matches and loaded states once it was handled, keeping what its write reads when
    /// sent (<see cref="Writes"/>, <see cref="HeldChanges"/>) and <see cref="Touched"/>, until <see cref="Clear"/>.
    /// </summary>
    public void ReleaseRecords()
    {
        foreach (var work in Work.Values)
        {
            work.Clear();
            spare.Push(work);
        }

        Work.Clear();
        Aggregations.Clear();
        Matches.Clear();
        Changed.Clear();
        Partitions.Clear();
        Wanted.Clear();
        Loaded.Clear();
    }

    /// <summary>
    /// Empties the batch for the next one, keeping what its collections have grown to; holds on to no event, state or
    /// match of this one.
    /// </summary>
    public void Clear()
    {
        ReleaseRecords();
        HeldChanges.Clear();
        Writes.Clear();
        Touched.Clear();
        Taken.Clear();
        TakenArrivals.Clear();
    }
}
