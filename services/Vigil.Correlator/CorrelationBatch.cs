using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>
/// One batch's unit of work as it moves down the route: the <see cref="EventRouter"/> fills the events per state and
/// the stateless matches, the <see cref="CorrelationEngine"/> adds what the states produced, the
/// <see cref="AlertOutbox"/> publishes the matches, and the <see cref="OwnedStates"/> commit the changes.
/// </summary>
public sealed class CorrelationBatch
{
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

    public bool IsEmpty => Work.Count == 0 && Matches.Count == 0 && Aggregations.Count == 0;
}
