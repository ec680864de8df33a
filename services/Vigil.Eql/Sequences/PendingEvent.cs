namespace Vigil.Eql.Sequences;

/// <summary>
/// An event the engine holds: in the reorder buffer, or as evidence of a partial sequence. Its ordering fields and the
/// steps it satisfies are computed once, on arrival.
/// </summary>
internal sealed class PendingEvent<TEvent>(TEvent document, long timestamp, long sequence, string id, EventClassification classification)
{
    public TEvent Document { get; } = document;

    public long Timestamp { get; } = timestamp;

    public long Sequence { get; } = sequence;

    public string Id { get; } = id;

    public EventClassification Classification { get; } = classification;

    public EventPosition Position => new(Timestamp, Sequence, Id);
}
