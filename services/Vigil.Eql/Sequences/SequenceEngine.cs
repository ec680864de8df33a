namespace Vigil.Eql.Sequences;

/// <summary>
/// Runs a compiled query over one host's event stream with the state machine Elasticsearch documents for sequences.
/// The engine itself is stateless: every call takes the host's <see cref="HostState{TEvent}"/>, so a streaming service
/// can keep states in a store and a backtest in memory (<see cref="InMemorySequenceRunner{TEvent}"/>) and both get the
/// same matches for the same events.
/// </summary>
/// <remarks>
/// host.id always partitions state (a sequence never spans hosts, whatever its join keys). Events may arrive out of
/// order by up to <see cref="SequenceEngineOptions.Lateness"/>: each relevant event waits in the host's reorder buffer
/// and is matched only when released in (@timestamp, event.sequence, event.id) order, so results equal those of the
/// time-sorted stream.
/// </remarks>
public sealed class SequenceEngine<TEvent>
{
    private readonly long _latenessNanos;
    private readonly long _spanNanos;

    public SequenceEngine(CompiledQuery<TEvent> query, SequenceEngineOptions? options = null)
    {
        Query = query ?? throw new ArgumentNullException(nameof(query));
        Options = options ?? new SequenceEngineOptions();
        if (Options.Lateness < TimeSpan.Zero || Options.SpanWithoutMaxSpan <= TimeSpan.Zero)
        {
            throw new ArgumentException("Lateness must not be negative and SpanWithoutMaxSpan must be positive.", nameof(options));
        }

        _latenessNanos = Options.Lateness.Ticks * 100;
        _spanNanos = (query.MaxSpan ?? Options.SpanWithoutMaxSpan).Ticks * 100;
    }

    public CompiledQuery<TEvent> Query { get; }

    public SequenceEngineOptions Options { get; }

    /// <summary>How long a host's state stays useful after its latest event: the span (maxspan) plus the lateness.</summary>
    public TimeSpan StateRetention => TimeSpan.FromTicks((_spanNanos + _latenessNanos) / 100);

    /// <summary>The partition an event belongs to: its host.id, or "" when it has none.</summary>
    public string HostOf(TEvent document) => Query.Fields.HostId(document);

    public HostState<TEvent> CreateState(string hostId) => new(hostId ?? string.Empty, Query.StageCount);

    /// <summary>
    /// Feeds one event of <paramref name="state"/>'s host. Returns the matches completed by the events this releases
    /// (not necessarily by this event). Irrelevant events (see <see cref="CompiledQuery{TEvent}.IsRelevant"/>) and events
    /// without @timestamp leave the state untouched. A single-event query matches the event itself, statelessly.
    /// </summary>
    public MatchResult<TEvent> Process(HostState<TEvent> state, TEvent document)
    {
        ArgumentNullException.ThrowIfNull(state);
        var host = HostOf(document);
        if (!string.Equals(host, state.HostId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The event belongs to host '{host}', but the state is host '{state.HostId}'.", nameof(document));
        }

        if (!Query.IsSequence)
        {
            return Query.Matches(document) ? new MatchResult<TEvent>([SingleEventMatch(host, document)], 0, false) : MatchResult<TEvent>.Unchanged;
        }

        if (Query.Fields.Timestamp(document) is not { } timestamp)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        var classification = Query.Classify(document);
        if (!classification.IsRelevant)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        var pending = new PendingEvent<TEvent>(document, timestamp, Query.Fields.Sequence(document), Query.Fields.Id(document), classification);
        var position = pending.Position;
        if (state.LastReleased is { } released && position <= released)
        {
            // Matching already moved past this point; taking the event now would break time order. This also makes a
            // replay of already-processed events (at-least-once delivery) a no-op.
            return new MatchResult<TEvent>([], 1, false);
        }

        var index = state.Buffer.BinarySearch(pending, PositionComparer.Instance);
        if (index >= 0)
        {
            // The same event (same position and id) is already buffered: a redelivery.
            return MatchResult<TEvent>.Unchanged;
        }

        state.Buffer.Insert(~index, pending);
        state.LatestTimestamp = state.LatestTimestamp is { } latest ? Math.Max(latest, timestamp) : timestamp;
        var matches = new List<SequenceMatch<TEvent>>();
        Release(state, matches, flush: false);
        return new MatchResult<TEvent>(matches, 0, true);
    }

    /// <summary>
    /// Declares that no event with @timestamp before <paramref name="watermarkNanos"/> will still arrive for this host
    /// (e.g. from wall-clock time minus lateness), releasing buffered events so matches are not held back on a quiet host.
    /// </summary>
    public MatchResult<TEvent> AdvanceWatermark(HostState<TEvent> state, long watermarkNanos)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.ExternalWatermark is { } current && current >= watermarkNanos)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        state.ExternalWatermark = watermarkNanos;
        var matches = new List<SequenceMatch<TEvent>>();
        Release(state, matches, flush: false);
        return new MatchResult<TEvent>(matches, 0, true);
    }

    /// <summary>Releases every buffered event (end of input, e.g. at the end of a backtest file).</summary>
    public MatchResult<TEvent> Flush(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Buffer.Count == 0)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        var matches = new List<SequenceMatch<TEvent>>();
        Release(state, matches, flush: true);
        return new MatchResult<TEvent>(matches, 0, true);
    }

    /// <summary>
    /// When (epoch ns, event time) the state stops mattering: its latest event plus maxspan plus lateness; null when it is
    /// already empty and can be deleted. A store can derive a key TTL from this or from <see cref="StateRetention"/>.
    /// </summary>
    public long? ExpiresAt(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.IsEmpty || state.LatestTimestamp is not { } latest ? null : latest + _spanNanos + _latenessNanos;
    }

    private SequenceMatch<TEvent> SingleEventMatch(string host, TEvent document)
    {
        var timestamp = Query.Fields.Timestamp(document) ?? 0;
        return new SequenceMatch<TEvent>(host, JoinKey.Empty, [document], [Query.Fields.Id(document)], timestamp, timestamp);
    }

    private bool IsReleasable(HostState<TEvent> state, long timestamp) =>
        (state.LatestTimestamp is { } latest && (_latenessNanos == 0 ? timestamp <= latest : timestamp < latest - _latenessNanos))
        || (state.ExternalWatermark is { } watermark && timestamp < watermark);

    private void Release(HostState<TEvent> state, List<SequenceMatch<TEvent>> matches, bool flush)
    {
        var released = 0;
        while (released < state.Buffer.Count && (flush || IsReleasable(state, state.Buffer[released].Timestamp)))
        {
            var next = state.Buffer[released];
            Match(state, next, matches);
            state.LastReleased = next.Position;
            released++;
        }

        if (released == 0)
        {
            return;
        }

        state.Buffer.RemoveRange(0, released);
        Prune(state, state.LastReleased!.Value.Timestamp);
    }

    /// <summary>Applies one released event (time order guaranteed) to the state machines of its join keys.</summary>
    private void Match(HostState<TEvent> state, PendingEvent<TEvent> next, List<SequenceMatch<TEvent>> matches)
    {
        var last = Query.StageCount - 1;

        // Later steps first, so the event cannot advance a partial it has just created or moved.
        for (var stage = last; stage >= 1; stage--)
        {
            if (!next.Classification.Satisfies(Query.DefinitionOf(stage)))
            {
                continue;
            }

            // A join key must be non-null: an event with a null (non-optional) key never joins.
            var key = Query.Stage(stage).KeyOf(next.Document);
            if (key is null || !state.Partials.TryGetValue(key, out var slots) || slots[stage - 1] is not { } partial)
            {
                continue;
            }

            // Each step must come strictly after the previous one by (@timestamp, event.sequence).
            if (!partial.Last.Position.IsStrictlyBefore(next.Position))
            {
                continue;
            }

            // The partial leaves its state whether or not it advances (Elasticsearch trims it from the group).
            slots[stage - 1] = null;

            // maxspan is measured from the first event and is inclusive: exactly maxspan apart still matches.
            if (next.Timestamp - partial.Start > _spanNanos)
            {
                state.DropIfEmpty(key);
                continue;
            }

            partial.Events.Add(next);
            if (stage == last)
            {
                // A completed sequence is consumed: it is reported and kept nowhere, so its events continue nothing else.
                matches.Add(Complete(state.HostId, key, partial));
                state.DropIfEmpty(key);
            }
            else
            {
                // One pending partial per state per key: a newer one overwrites the older.
                slots[stage] = partial;
            }
        }

        if (next.Classification.Satisfies(Query.DefinitionOf(0)) && Query.Stage(0).KeyOf(next.Document) is { } firstKey)
        {
            // A new partial in the first state overwrites the older one for the same key.
            state.SlotsFor(firstKey)[0] = new PartialSequence<TEvent>([next]);
        }

        if (next.Classification.Until && Query.Until!.KeyOf(next.Document) is { } untilKey)
        {
            // until drops the pending partials of its key. Applied after the event's own steps, as in Elasticsearch an
            // until event stops partials whose last event is at or before it, including one it has just advanced.
            state.Partials.Remove(untilKey);
        }
    }

    private static SequenceMatch<TEvent> Complete(string host, JoinKey key, PartialSequence<TEvent> partial) => new(
        host,
        key,
        partial.Events.Select(e => e.Document).ToArray(),
        partial.Events.Select(e => e.Id).ToArray(),
        partial.Start,
        partial.Last.Timestamp);

    /// <summary>
    /// Drops partials that can no longer complete: every later event has @timestamp at or after
    /// <paramref name="releasedTimestamp"/>, so a partial that started more than the span before it would fail maxspan.
    /// Dropping them early changes no result; it only keeps the state small.
    /// </summary>
    private void Prune(HostState<TEvent> state, long releasedTimestamp)
    {
        List<JoinKey>? empty = null;
        foreach (var (key, slots) in state.Partials)
        {
            var any = false;
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i] is { } partial && releasedTimestamp - partial.Start > _spanNanos)
                {
                    slots[i] = null;
                }

                any |= slots[i] is not null;
            }

            if (!any)
            {
                (empty ??= []).Add(key);
            }
        }

        foreach (var key in empty ?? [])
        {
            state.Partials.Remove(key);
        }
    }

    private sealed class PositionComparer : IComparer<PendingEvent<TEvent>>
    {
        public static PositionComparer Instance { get; } = new();

        public int Compare(PendingEvent<TEvent>? x, PendingEvent<TEvent>? y) => x!.Position.CompareTo(y!.Position);
    }
}
