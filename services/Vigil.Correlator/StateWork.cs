using Vigil.Contracts.Telemetry;
using Vigil.Eql;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>The events one (rule, host) state receives in a batch, and the partition its host lives on.</summary>
public sealed class StateWork(TopicPartitionRef partition)
{
    public TopicPartitionRef Partition { get; private set; } = partition;

    public List<TelemetryEvent> Events { get; } = [];

    /// <summary>What each of <see cref="Events"/> means to the rule, classified once by the router.</summary>
    public List<EventClassification> Classifications { get; } = [];

    public void Add(TelemetryEvent e, EventClassification classification, TopicPartitionRef from)
    {
        Events.Add(e);
        Classifications.Add(classification);
        // A host's events are keyed by host.id, so they come from one partition; the newest wins if that ever changes.
        Partition = from;
    }
}
