namespace Vigil.Eql.Sequences;

/// <summary>Streaming settings of a <see cref="SequenceEngine{TEvent}"/>.</summary>
public sealed record SequenceEngineOptions
{
    /// <summary>
    /// How far out of @timestamp order a host's events may arrive and still give the results of the sorted stream.
    /// An event is released to matching once an event more than this much newer has been seen (or the caller advances
    /// the watermark past it). Zero disables reordering.
    /// </summary>
    public TimeSpan Lateness { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The span a sequence without maxspan may cover. Elastic bounds such rules by their look-back window; a stream has
    /// none, so this stands in for maxspan to keep state bounded.
    /// </summary>
    public TimeSpan SpanWithoutMaxSpan { get; init; } = TimeSpan.FromHours(24);
}
