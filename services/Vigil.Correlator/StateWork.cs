using Vigil.Contracts.Telemetry;
using Vigil.Eql;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>The events one (rule, host) state receives in a batch, and the partition its host lives on.</summary>
public sealed class StateWork(TopicPartitionRef partition)
{
    public TopicPartitionRef Partition { get; private set; } = partition;

    // A state mostly gets one event per batch (a batch spreads over many hosts): lists start at one element, not four.
    public List<TelemetryEvent> Events { get; } = new(1);

    /// <summary>What each of <see cref="Events"/> means to the rule, classified once by the router.</summary>
    public List<EventClassification> Classifications { get; } = new(1);

    public void Add(TelemetryEvent e, EventClassification classification, TopicPartitionRef from)
    {
        Events.Add(e);
        Classifications.Add(classification);
        // A host's events are keyed by host.id, so they come from one partition; the newest wins if that ever changes.
        Partition = from;
    }

    /// <summary>Starts the work of another state (a reused list): no events yet, on <paramref name="from"/>.</summary>
    internal void Start(TopicPartitionRef from)
    {
        Events.Clear();
        Classifications.Clear();
        Partition = from;
    }

    /// <summary>Lets go of the batch's events (the consume loop reuses their objects once the batch is handled).</summary>
    internal void Clear()
    {
        Events.Clear();
        Classifications.Clear();
    }
}
