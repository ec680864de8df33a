namespace Vigil.Eql.Sequences;

/// <summary>A sequence matched up to some step, waiting for the next; holds its evidence events in step order.</summary>
internal sealed class PartialSequence<TEvent>(List<PendingEvent<TEvent>> events)
{
    public List<PendingEvent<TEvent>> Events { get; } = events;

    /// <summary>@timestamp of the first event: maxspan is measured from here.</summary>
    public long Start => Events[0].Timestamp;

    public PendingEvent<TEvent> Last => Events[^1];
}
