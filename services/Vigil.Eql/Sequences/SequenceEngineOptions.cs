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

    /// <summary>
    /// The most join keys with pending partial sequences one (rule, host) state keeps. Each key holds at most one
    /// partial per step, so this bounds the partials too. Past it, the keys whose newest partial is oldest are evicted
    /// (counted as <see cref="RejectionCounts.StateLimit"/>). Zero: no limit.
    /// </summary>
    public int MaxPendingKeys { get; init; } = DefaultMaxPendingKeys;

    /// <summary>
    /// The most events the reorder buffer holds; past it the oldest are matched early, as if their lateness had passed,
    /// so a flooding host cannot grow its state without bound. Zero: no limit.
    /// </summary>
    public int MaxBufferedEvents { get; init; } = DefaultMaxBufferedEvents;

    public const int DefaultMaxPendingKeys = 2_000;

    public const int DefaultMaxBufferedEvents = 10_000;

    /// <summary>A span to pass as <see cref="SpanWithoutMaxSpan"/> for query semantics: no time bound at all.</summary>
    public static TimeSpan Unbounded => TimeSpan.MaxValue;
}
