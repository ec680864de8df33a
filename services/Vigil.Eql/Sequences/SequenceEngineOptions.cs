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
    /// so a flooding host cannot grow its state without bound. The buffer is never evicted to meet the state's byte
    /// limit (it is data not yet matched), so the default keeps a full buffer (~2,000 events of ~370 bytes) well under
    /// the 1 MiB default of that limit; a host sending more than 2,000 events within one lateness window gets its oldest
    /// events matched before the window has passed. Zero: no limit.
    /// </summary>
    public int MaxBufferedEvents { get; init; } = DefaultMaxBufferedEvents;

    /// <summary>
    /// Report a sequence match as soon as the events seen so far complete it, instead of once the lateness has passed,
    /// for sequences a late event cannot turn into a false positive: no <c>until</c>, no missing-event steps (samples
    /// always wait). Matching itself still runs in time order and neither it nor a later early report reports again a
    /// sequence with the key and the last or the first event of one reported: a late event that only changes which
    /// events a reported sequence cites raises no second match (docs/latency.md). Off by default: a backtest reads a
    /// file and gains nothing from it; a streaming service turns it on.
    /// </summary>
    public bool ReportEarly { get; init; }

    public const int DefaultMaxPendingKeys = 2_000;

    public const int DefaultMaxBufferedEvents = 2_000;

    /// <summary>A span to pass as <see cref="SpanWithoutMaxSpan"/> for query semantics: no time bound at all.</summary>
    public static TimeSpan Unbounded => TimeSpan.MaxValue;
}
