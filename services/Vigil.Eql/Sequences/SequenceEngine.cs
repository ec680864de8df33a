using Vigil.Eql.Documents;

namespace Vigil.Eql.Sequences;

/// <summary>
/// Runs a compiled query over one host's event stream with the state machine Elasticsearch documents for sequences
/// (and its sample join). The engine itself is stateless: every call takes the host's <see cref="HostState{TEvent}"/>, so
/// a streaming service can keep states in a store and a backtest in memory (<see cref="InMemorySequenceRunner{TEvent}"/>)
/// and both get the same matches for the same events.
/// </summary>
/// <remarks>
/// host.id always partitions state (a sequence never spans hosts, whatever its join keys). Events may arrive out of
/// order by up to <see cref="SequenceEngineOptions.Lateness"/>: each relevant event waits in the host's reorder buffer
/// and is matched only when released in (@timestamp, event.sequence, event.id) order, so results equal those of the
/// time-sorted stream. A match that depends on an event being absent is reported only once matching has moved past the
/// whole window in which that event could occur, so a late event can never turn it into a false positive.
/// </remarks>
public sealed class SequenceEngine<TEvent>
{
    // Keeps span arithmetic (timestamp + span + lateness) far from overflow when the span is unbounded.
    private const long UnboundedNanos = long.MaxValue / 4;

    private static readonly MatchResult<TEvent> ChangedOnly = new([], 0, true);

    private readonly long latenessNanos;
    private readonly long spanNanos;
    private readonly bool hasLeadingOrMiddleMissing;
    private readonly bool hasTrailingMissing;
    private readonly bool reportsEarly;
    private readonly IEventCodec<TEvent>? holding;
    private readonly HeldBufferPool buffers;

    /// <param name="query">The compiled sequence, sample or single-event query.</param>
    /// <param name="options">Streaming settings.</param>
    /// <param name="holding">
    /// When set, an event the codec says must not be kept as it is (<see cref="IEventCodec{TEvent}.EncodingToHold"/>)
    /// is held in state as its encoding plus its position and join keys, and decoded whole only for a match.
    /// </param>
    /// <param name="buffers">
    /// Where the arrays of events held encoded come from and go back to (<see cref="HeldBufferPool.Shared"/> when
    /// null): an event that leaves the state without joining a partial sequence costs no allocation.
    /// </param>
    public SequenceEngine(CompiledQuery<TEvent> query, SequenceEngineOptions? options = null, IEventCodec<TEvent>? holding = null, HeldBufferPool? buffers = null)
    {
        Query = query ?? throw new ArgumentNullException(nameof(query));
        Options = options ?? new SequenceEngineOptions();
        this.holding = holding;
        this.buffers = buffers ?? HeldBufferPool.Shared;
        if (Options.Lateness < TimeSpan.Zero || Options.SpanWithoutMaxSpan <= TimeSpan.Zero || Options.MaxPendingKeys < 0 || Options.MaxBufferedEvents < 0)
        {
            throw new ArgumentException("Lateness and the limits must not be negative and SpanWithoutMaxSpan must be positive.", nameof(options));
        }

        latenessNanos = Nanos(Options.Lateness);
        spanNanos = Nanos(query.MaxSpan ?? Options.SpanWithoutMaxSpan);
        hasLeadingOrMiddleMissing = query.MissingSteps.Any(m => m.Before < query.StageCount);
        hasTrailingMissing = query.MissingSteps.Any(m => m.Before == query.StageCount);
        reportsEarly = Options.ReportEarly && query.IsSequence && query.Until is null && query.MissingSteps.Count == 0 && query.StageCount > 1;
    }

    /// <summary>
    /// True when this engine reports a sequence as soon as the events seen so far complete it (see
    /// <see cref="SequenceEngineOptions.ReportEarly"/>); false for until, missing-event steps and samples, which wait for
    /// the lateness to pass (or the watermark) like every match did before.
    /// </summary>
    public bool ReportsEarly => reportsEarly;

    public CompiledQuery<TEvent> Query { get; }

    public SequenceEngineOptions Options { get; }

    /// <summary>Everything this engine (rule) has thrown away since it was created, by reason.</summary>
    public RejectionTally Rejections { get; } = new();

    /// <summary>The span a match may cover: maxspan, or the option that stands in for it.</summary>
    public TimeSpan Span => TimeSpan.FromTicks(spanNanos / 100);

    /// <summary>How long a host's state stays useful after its latest event: the span (maxspan) plus the lateness.</summary>
    public TimeSpan StateRetention => TimeSpan.FromTicks((spanNanos + latenessNanos) / 100);

    /// <summary>The partition an event belongs to: its host.id, or "" when it has none.</summary>
    public string HostOf(TEvent document) => Query.Fields.HostId(document);

    public HostState<TEvent> CreateState(string hostId) =>
        new(hostId ?? string.Empty, Query.StageCount, Query.IsSample ? Query.StageCount : Query.StageCount - 1);

    /// <summary>
    /// Feeds one event of <paramref name="state"/>'s host. Returns the matches completed by the events this releases
    /// (not necessarily by this event). Irrelevant events (see <see cref="CompiledQuery{TEvent}.IsRelevant"/>) and events
    /// without @timestamp leave the state untouched. A single-event query matches the event itself, statelessly.
    /// </summary>
    public MatchResult<TEvent> Process(HostState<TEvent> state, TEvent document) => Process(state, document, Query.Classify(document));

    /// <summary>
    /// Feeds one event already classified by <see cref="CompiledQuery{TEvent}.Classify"/> (of this engine's query), so
    /// a caller that has classified it to route it does not test the rule's conditions a second time.
    /// </summary>
    public MatchResult<TEvent> Process(HostState<TEvent> state, TEvent document, EventClassification classification)
    {
        ArgumentNullException.ThrowIfNull(state);
        var host = HostOf(document);
        if (!string.Equals(host, state.HostId, StringComparison.Ordinal))
        {
            throw HostMismatch(host, state, nameof(document));
        }

        return ProcessOfHost(state, document, classification);
    }

    /// <summary>
    /// Refuses <paramref name="state"/> for events of <paramref name="host"/> when it is another host's state, with the
    /// exception <see cref="Process(HostState{TEvent}, TEvent, EventClassification)"/> throws for such an event. A caller
    /// of <see cref="ProcessOfHost"/> calls it once per state before feeding it: a state that names another host
    /// (misfiled, corrupted or written by an older build) must neither take the host's events nor raise alerts naming
    /// the wrong host.
    /// </summary>
    public void RequireStateOf(HostState<TEvent> state, string host)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!string.Equals(host, state.HostId, StringComparison.Ordinal))
        {
            throw HostMismatch(host, state, "document");
        }
    }

    private static ArgumentException HostMismatch(string host, HostState<TEvent> state, string parameter) =>
        new($"The event belongs to host '{host}', but the state is host '{state.HostId}'.", parameter);

    /// <summary>
    /// <see cref="Process(HostState{TEvent}, TEvent, EventClassification)"/> for a caller that took
    /// <paramref name="state"/> for the host <see cref="HostOf"/> read from <paramref name="document"/> (a router that
    /// keys states by it): host.id is not read and compared a second time for every event. The caller checks the
    /// state's host once instead, with <see cref="RequireStateOf"/>.
    /// </summary>
    public MatchResult<TEvent> ProcessOfHost(HostState<TEvent> state, TEvent document, EventClassification classification)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!Query.IsStateful)
        {
            return MatchEvent(document, classification) is { } single ? new MatchResult<TEvent>([single], 0, false) : MatchResult<TEvent>.Unchanged;
        }

        if (Query.Fields.Timestamp(document) is not { } timestamp)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        if (!classification.IsRelevant)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        var pending = Hold(document, timestamp, classification);
        var position = pending.Position;
        if (state.LastReleased is { } released && position <= released)
        {
            // Matching already moved past this point; taking the event now would break time order. This also makes a
            // replay of already-processed events (at-least-once delivery) a no-op.
            Discard(pending);
            return new MatchResult<TEvent>([], 1, false);
        }

        var index = state.Buffer.BinarySearch(pending, PositionComparer.Instance);
        if (index >= 0)
        {
            // The same event (same position and id) is already buffered: a redelivery.
            Discard(pending);
            return MatchResult<TEvent>.Unchanged;
        }

        state.InsertBuffered(~index, pending);
        if (reportsEarly)
        {
            IndexBuffered(state, pending);
        }

        state.LatestTimestamp = state.LatestTimestamp is { } latest ? Math.Max(latest, timestamp) : timestamp;
        var run = Run.Rent();
        Release(state, run, flush: false);
        if (reportsEarly)
        {
            ReportEarly(state, pending, run);
        }

        return Finish(run, changed: true);
    }

    /// <summary>
    /// A single-event query's match of <paramref name="document"/> (classified with this engine's query), or null: no
    /// host state is involved, so a caller need not create one.
    /// </summary>
    public SequenceMatch<TEvent>? MatchEvent(TEvent document, EventClassification classification)
    {
        if (Query.IsStateful)
        {
            throw new InvalidOperationException("A sequence or sample query matches groups of events: use Process with the host's state.");
        }

        return classification.Satisfies(0) ? SingleEventMatch(HostOf(document), document) : null;
    }

    /// <summary>
    /// Declares that no event with @timestamp before <paramref name="watermarkNanos"/> will still arrive for this host
    /// (e.g. from wall-clock time minus lateness), releasing buffered events so matches are not held back on a quiet host,
    /// and reporting sequences whose trailing missing-event window ends before it.
    /// </summary>
    public MatchResult<TEvent> AdvanceWatermark(HostState<TEvent> state, long watermarkNanos)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.ExternalWatermark is { } current && current >= watermarkNanos)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        state.ExternalWatermark = watermarkNanos;
        var run = Run.Rent();
        Release(state, run, flush: false);
        return Finish(run, changed: true);
    }

    /// <summary>
    /// Declares that no event at or before <paramref name="through"/> will still arrive for this host, releasing the
    /// buffered events up to it (in time order, as any release). A service calls this once the buffered event at
    /// <paramref name="through"/> has waited the lateness in arrival time: the lateness bounds how much later than an
    /// event an earlier one of the same host can arrive (docs/latency.md), so nothing that precedes it can still come,
    /// and the matches of these events are those of the time-sorted stream. Events after it stay buffered.
    /// </summary>
    public MatchResult<TEvent> ReleaseThrough(HostState<TEvent> state, EventPosition through)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Buffer.Count == 0 || state.Buffer[0].Position > through)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        var run = Run.Rent();
        Release(state, run, flush: false, through);
        return Finish(run, changed: true);
    }

    /// <summary>
    /// Releases every buffered event and reports every awaiting match (end of input, e.g. at the end of a backtest
    /// file: no event can arrive any more, so no absent event can still appear).
    /// </summary>
    public MatchResult<TEvent> Flush(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.HoldsBackMatches)
        {
            return MatchResult<TEvent>.Unchanged;
        }

        var run = Run.Rent();
        Release(state, run, flush: true);
        return Finish(run, changed: true);
    }

    /// <summary>
    /// When (epoch ns, event time) the state stops mattering: its latest event plus maxspan plus lateness; null when it is
    /// already empty and can be deleted. A store can derive a key TTL from this or from <see cref="StateRetention"/>.
    /// </summary>
    public long? ExpiresAt(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.IsEmpty || state.LatestTimestamp is not { } latest ? null : latest + spanNanos + latenessNanos;
    }

    /// <summary>
    /// The earliest event time (epoch ns) by which matching must have moved for an awaiting match to be reported (its
    /// trailing missing-event window ends then); null when nothing awaits. A service advances the watermark past it once
    /// its clock says no event before it can still arrive.
    /// </summary>
    public long? NextDeadline(HostState<TEvent> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Awaiting.Count == 0 ? null : state.Awaiting.Min(a => a.Deadline);
    }

    /// <summary>
    /// The engine's own copy of an arriving event: its document, or (when the codec asks for it) its encoding with the
    /// join keys read now, while the document is still valid.
    /// </summary>
    private PendingEvent<TEvent> Hold(TEvent document, long timestamp, EventClassification classification)
    {
        var sequence = Query.Fields.Sequence(document);
        var id = Query.Fields.Id(document);
        var length = holding?.HeldEncodingLength(document) ?? -1;
        if (holding is null || length < 0)
        {
            return new PendingEvent<TEvent>(document, timestamp, sequence, id, classification);
        }

        // Written once, straight into the layout of the event's state field: the reorder buffer's field is this array.
        // An event of a sequence's first step starts a partial sequence when released, which keeps it for up to maxspan:
        // it gets an array of its own, laid out so that partial's field is a view of it. Any other event most likely
        // leaves the state when released: it waits in a pooled array (see HostState.ReleaseBuffered for its way back).
        var size = InlineEvent.Size(id, length);
        var slots = Query.IsSample ? Query.StageCount : Query.StageCount - 1;
        var kept = Query.IsSequence && slots > 0 && classification.Satisfies(Query.DefinitionOf(0));
        // A kept array comes from the pool too, and goes back when the last partial holding the event ends.
        var keptLength = InlineEvent.KeptLength(size, slots);
        var rented = buffers.Rent(kept ? keptLength : size);
        var pooled = kept ? null : rented;
        var inline = rented ?? InlineEvent.CreateKept(size, slots);
        var at = pooled is null ? InlineEvent.Headroom : 0;
        var offset = InlineEvent.WriteHead(inline.AsSpan(at), timestamp, sequence, id, classification, length);
        holding.WriteHeldEncoding(document, inline.AsSpan(at + offset, length));
        var pending = new PendingEvent<TEvent>(inline, at, size, offset, holding, pooled is null ? null : buffers, timestamp, sequence, id, classification);
        if (kept && rented is not null)
        {
            pending.KeptFrom(buffers);
        }

        pending.ComputeKeys(Query, document);
        return pending;
    }

    /// <summary>An event the state did not take: nothing read its pooled array, which goes straight back.</summary>
    private static void Discard(PendingEvent<TEvent> pending)
    {
        if (pending.Pool is not null)
        {
            var (pool, array) = pending.TakePooled(0);
            pool.Return(array);
        }
        else if (pending.TakeKept() is var (keptPool, keptArray))
        {
            keptPool.Return(keptArray);
        }
    }

    /// <summary>
    /// Records that matching placed <paramref name="e"/> in its state beyond the reorder buffer (not in a preview, whose
    /// state is thrown away): its bytes then leave the pool when it leaves the buffer.
    /// </summary>
    private static void Keep(PendingEvent<TEvent> e, Run run)
    {
        if (run.Completions is null)
        {
            e.Kept = true;
            e.Holders++;
        }
    }

    /// <summary>
    /// Records that matching took <paramref name="partial"/> out of its state for good (it completed, failed maxspan, was
    /// overwritten, evicted or ended by until), so its events' kept arrays can go back to the pool (not in a preview,
    /// whose partials are copies).
    /// </summary>
    private static void Ended(HostState<TEvent> state, PartialSequence<TEvent>? partial, Run run)
    {
        if (partial is not null && run.Completions is null)
        {
            state.Ended(partial);
        }
    }

    private static long Nanos(TimeSpan span) => span.Ticks >= UnboundedNanos / 100 ? UnboundedNanos : span.Ticks * 100;

    private MatchResult<TEvent> Finish(Run run, bool changed)
    {
        var rejections = run.Rejections();
        Rejections.Add(rejections);
        var found = run.Found;
        run.Return();
        if (found is null && rejections.Total == 0)
        {
            // The common outcome (an event buffered, nothing reported or thrown away) allocates no result.
            return changed ? ChangedOnly : MatchResult<TEvent>.Unchanged;
        }

        return new MatchResult<TEvent>(found ?? [], 0, changed, rejections);
    }

    private SequenceMatch<TEvent> SingleEventMatch(string host, TEvent document)
    {
        var timestamp = Query.Fields.Timestamp(document) ?? 0;
        return new SequenceMatch<TEvent>(host, JoinKey.Empty, [document], [Query.Fields.Id(document)], timestamp, timestamp);
    }

    private bool IsReleasable(HostState<TEvent> state, long timestamp) =>
        (state.LatestTimestamp is { } latest && (latenessNanos == 0 ? timestamp <= latest : timestamp < latest - latenessNanos))
        || (state.ExternalWatermark is { } watermark && timestamp < watermark);

    private void Release(HostState<TEvent> state, Run run, bool flush, EventPosition? through = null)
    {
        var released = 0;
        var overflow = Options.MaxBufferedEvents == 0 ? 0 : Math.Max(0, state.Buffer.Count - Options.MaxBufferedEvents);
        while (released < state.Buffer.Count
            && (flush || released < overflow || IsReleasable(state, state.Buffer[released].Timestamp) || state.Buffer[released].Position <= through))
        {
            var next = state.Buffer[released];

            // Everything before this event has been matched: a trailing missing-event window that ended before it is over.
            ConfirmAwaiting(state, run, next.Timestamp);
            Match(state, next, run);
            state.LastReleased = next.Position;
            released++;
        }

        if (released > 0)
        {
            if (state.BufferByKey is { } index)
            {
                for (var i = 0; i < released; i++)
                {
                    Unindex(index, state.Buffer[i]);
                }
            }

            state.ReleaseBuffered(released);
            Prune(state, state.LastReleased!.Value.Timestamp, run);

            // The time-ordered pass has gone past these matches' last events: nothing can report them again.
            state.EarlyReports.ForgetThrough(state.LastReleased!.Value);
        }

        if (flush)
        {
            ConfirmAwaiting(state, run, long.MaxValue);
        }
        else if (state.ExternalWatermark is { } watermark && (state.Buffer.Count == 0 || state.Buffer[0].Timestamp >= watermark))
        {
            // No event before the watermark is still buffered, and the caller vouches none will arrive.
            ConfirmAwaiting(state, run, watermark);
        }

        EnforceKeyLimit(state, run);
    }

    /// <summary>Reports awaiting matches whose window ends strictly before <paramref name="before"/>, in completion order.</summary>
    private static void ConfirmAwaiting(HostState<TEvent> state, Run run, long before)
    {
        if (state.Awaiting.Count == 0)
        {
            return;
        }

        var kept = 0;
        for (var i = 0; i < state.Awaiting.Count; i++)
        {
            var awaiting = state.Awaiting[i];
            if (awaiting.Deadline < before)
            {
                run.Matches.Add(Complete(state.HostId, awaiting.Key, awaiting.Sequence));
                Ended(state, awaiting.Sequence, run);
            }
            else
            {
                state.Awaiting[kept++] = awaiting;
            }
        }

        state.Awaiting.RemoveRange(kept, state.Awaiting.Count - kept);
    }

    /// <summary>Applies one released event (time order guaranteed) to the state machines of its join keys.</summary>
    private void Match(HostState<TEvent> state, PendingEvent<TEvent> next, Run run)
    {
        if (Query.IsSample)
        {
            MatchSample(state, next, run);
            return;
        }

        if (Query.MissingSteps.Count > 0)
        {
            SeeMissing(state, next, run);
        }

        var last = Query.StageCount - 1;

        // Later steps first, so the event cannot advance a partial it has just created or moved.
        for (var stage = last; stage >= 1; stage--)
        {
            if (!next.Classification.Satisfies(Query.DefinitionOf(stage)))
            {
                continue;
            }

            // A join key must be non-null: an event with a null (non-optional) key never joins.
            var key = next.KeyAt(stage, Query);
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
            state.Partials.Touch(key);

            // maxspan is measured from the first event and is inclusive: exactly maxspan apart still matches.
            if (next.Timestamp - partial.Start > spanNanos)
            {
                run.MaxSpan++;
                Ended(state, partial, run);
                state.DropIfEmpty(key);
                continue;
            }

            partial.Events.Add(next);
            Keep(next, run);
            if (stage == last)
            {
                // A completed sequence is consumed: it is reported and kept nowhere, so its events continue nothing else.
                Completed(state, key, partial, run);
                state.DropIfEmpty(key);
            }
            else
            {
                // One pending partial per state per key: a newer one overwrites the older.
                if (slots[stage] is { } overwritten)
                {
                    run.Overwritten++;
                    Ended(state, overwritten, run);
                }

                slots[stage] = partial;
            }
        }

        if (next.Classification.Satisfies(Query.DefinitionOf(0)) && next.KeyAt(0, Query) is { } firstKey)
        {
            if (last == 0)
            {
                // A sequence whose only positive step is a run of one (e.g. "[a] ![b]" with a missing step) completes at once.
                Keep(next, run);
                Completed(state, firstKey, new PartialSequence<TEvent>([next]), run);
            }
            else
            {
                // A new partial in the first state overwrites the older one for the same key.
                var slots = state.SlotsFor(firstKey);
                if (slots[0] is { } overwritten)
                {
                    run.Overwritten++;
                    Ended(state, overwritten, run);
                }

                slots[0] = new PartialSequence<TEvent>([next]);
                Keep(next, run);
                AddStart(state, firstKey, next.Timestamp);
            }
        }

        if (next.Classification.Until && next.UntilKey(Query) is { } untilKey && state.Partials.Remove(untilKey, out var ended))
        {
            // until drops the pending partials of its key. Applied after the event's own steps, as in Elasticsearch an
            // until event stops partials whose last event is at or before it, including one it has just advanced.
            run.Until += ended.Count(p => p is not null);
            foreach (var partial in ended)
            {
                Ended(state, partial, run);
            }
        }
    }

    /// <summary>
    /// A sequence's positive steps all matched. Elasticsearch then looks for each missing-event step's event with the
    /// same join key: between the two positive events around it, or for a step at the start from the last event minus
    /// maxspan up to the first event, or for a step at the end from the last event up to the first event plus maxspan.
    /// The sequence matches only if none is found. The first two windows are already in the past here; the last is
    /// awaited.
    /// </summary>
    private void Completed(HostState<TEvent> state, JoinKey key, PartialSequence<TEvent> sequence, Run run)
    {
        if (Query.MissingSteps.Count == 0)
        {
            if (!state.EarlyReports.Take(key, sequence.Events[0].Position, sequence.Last.Position))
            {
                var match = Complete(state.HostId, key, sequence);
                run.Matches.Add(match);
                run.Completions?.Add((key, sequence.Events[0].Position, sequence.Last.Position, match));
            }

            // The match holds its events decoded: the sequence's arrays are no longer read.
            Ended(state, sequence, run);
            return;
        }

        if (hasLeadingOrMiddleMissing && SightedWithin(state, key, sequence))
        {
            run.MissingEvent++;
            Ended(state, sequence, run);
            return;
        }

        if (hasTrailingMissing)
        {
            state.Awaiting.Add(new AwaitingMatch<TEvent>(key, sequence, Saturating(sequence.Start, spanNanos)));
            return;
        }

        run.Matches.Add(Complete(state.HostId, key, sequence));
        Ended(state, sequence, run);
    }

    /// <summary>
    /// Reports now the sequences the buffered events complete, as if no event were still to arrive: matching runs over a
    /// copy of the pending partials and the buffer in time order, and what completes there is reported unless an earlier
    /// report already covers it. The real state is untouched: it moves on in time order as events are released.
    /// </summary>
    /// <remarks>
    /// For a sequence without until or missing-event steps, a late event cannot make a reported sequence false: its
    /// events did occur in that order within maxspan under one key. A late, earlier-timestamped event can only make the
    /// time-ordered pass complete a sequence with other evidence (it overwrote, advanced or completed a partial first).
    /// A report stands for the sequence of its key that ends with its last event or starts with its first (the partial
    /// that event started completes once on any stream), or that lies between them (late events replaced both ends):
    /// neither the time-ordered pass nor a later preview reports that sequence again, so late events that only change
    /// which events a reported sequence cites raise no second alert, and every other sequence of the sorted stream is
    /// reported once (see
    /// <see cref="EarlyReportSet"/>).
    /// <para>
    /// The preview is bounded by what the new event can change: a key's partials evolve only through events of that
    /// key, so only the keys of <paramref name="arrived"/> can complete differently than at the previous preview (which
    /// already reported everything else). Only those keys' partials are copied, and only the buffered events of those
    /// keys (from <see cref="HostState{TEvent}.BufferByKey"/>) are matched: a host flooding distinct keys costs a constant
    /// per event, not a copy of its whole state.
    /// </para>
    /// </remarks>
    private void ReportEarly(HostState<TEvent> state, PendingEvent<TEvent> arrived, Run run)
    {
        var index = state.BufferByKey!;
        var lastDefinition = Query.DefinitionOf(Query.StageCount - 1);

        // Usually one key (every step joins on the same fields): a list only for a second one, as this runs per arrival.
        JoinKey? firstKey = null;
        List<JoinKey>? moreKeys = null;
        List<PendingEvent<TEvent>>? events = null;
        var completes = false;
        var firstDefinition = Query.DefinitionOf(0);
        var starts = false;
        for (var stage = 0; stage < Query.StageCount; stage++)
        {
            if (!arrived.Classification.Satisfies(Query.DefinitionOf(stage)) || arrived.KeyAt(stage, Query) is not { } key)
            {
                continue;
            }

            if (firstKey is null)
            {
                firstKey = key;
            }
            else if (firstKey.Equals(key) || (moreKeys?.Contains(key) ?? false))
            {
                continue;
            }
            else
            {
                (moreKeys ??= [firstKey]).Add(key);
            }

            starts |= state.Partials.ContainsKey(key);
            if (index.TryGetValue(key, out var buffered))
            {
                foreach (var e in buffered)
                {
                    completes |= e.Classification.Satisfies(lastDefinition);
                    starts |= e.Classification.Satisfies(firstDefinition);
                    (events ??= run.Scratch).Add(e);
                }
            }
        }

        if (!completes || !starts || firstKey is null || events is null)
        {
            // Only an event of the last step completes a sequence, and only a partial of these keys (pending, or
            // started by a buffered event of the first step) can be completed: most arrivals of the last step (an
            // outbound connection, a file written) have no sequence to finish, and are not worth a preview.
            events?.Clear();
            return;
        }

        var keys = moreKeys ?? [firstKey];

        if (keys.Count > 1)
        {
            // An event under several keys (a step with its own "by" fields) is in several lists: match it once, in order.
            var distinct = events.Distinct().ToList();
            events.Clear();
            events = distinct;
            events.Sort(PositionComparer.Instance);
        }

        var preview = CreateState(state.HostId);
        foreach (var key in keys)
        {
            if (state.Partials.TryGetValue(key, out var slots))
            {
                var copy = new PartialSequence<TEvent>?[slots.Length];
                for (var i = 0; i < slots.Length; i++)
                {
                    copy[i] = slots[i] is { } partial ? new PartialSequence<TEvent>([.. partial.Events]) : null;
                }

                preview.Partials.Load(key, copy, storedBytes: 0);
            }
        }

        var previewRun = new Run { Completions = [] };
        foreach (var next in events)
        {
            Match(preview, next, previewRun);
        }

        events.Clear();

        foreach (var (key, first, last, match) in previewRun.Completions)
        {
            // Another key's completion here ran on a partial copy of its state: its own events report it. A sequence
            // with the key and the first or last event of one reported already is that report's behaviour, seen with a
            // late event: reporting it would alert twice on overlapping evidence.
            if (keys.Contains(key) && !state.EarlyReports.Covers(key, first, last))
            {
                state.EarlyReports.Add(new EarlyReport(key, last, first));
                run.Matches.Add(match);
            }
        }
    }

    /// <summary>Adds a buffered event to its state's per-key index (building the index first if the state has none yet).</summary>
    private void IndexBuffered(HostState<TEvent> state, PendingEvent<TEvent> e)
    {
        if (state.BufferByKey is null)
        {
            state.BufferByKey = [];
            foreach (var buffered in state.Buffer)
            {
                Index(state.BufferByKey, buffered);
            }

            return;
        }

        Index(state.BufferByKey, e);
    }

    private void Index(Dictionary<JoinKey, List<PendingEvent<TEvent>>> index, PendingEvent<TEvent> e)
    {
        JoinKey? previous = null;
        for (var stage = 0; stage < Query.StageCount; stage++)
        {
            if (!e.Classification.Satisfies(Query.DefinitionOf(stage)) || e.KeyAt(stage, Query) is not { } key || key.Equals(previous))
            {
                continue;
            }

            previous = key;
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = Run.RentList();
            }

            if (list.Count == 0 || PositionComparer.Instance.Compare(list[^1], e) < 0)
            {
                list.Add(e);
            }
            else
            {
                var at = list.BinarySearch(e, PositionComparer.Instance);
                if (at < 0)
                {
                    list.Insert(~at, e);
                }
            }
        }
    }

    /// <summary>Removes a released event (the earliest of its keys' lists) from the per-key index.</summary>
    private void Unindex(Dictionary<JoinKey, List<PendingEvent<TEvent>>> index, PendingEvent<TEvent> e)
    {
        for (var stage = 0; stage < Query.StageCount; stage++)
        {
            if (!e.Classification.Satisfies(Query.DefinitionOf(stage)) || e.KeyAt(stage, Query) is not { } key || !index.TryGetValue(key, out var list))
            {
                continue;
            }

            var at = list.Count > 0 && ReferenceEquals(list[0], e) ? 0 : list.IndexOf(e);
            if (at >= 0)
            {
                list.RemoveAt(at);
            }

            if (list.Count == 0)
            {
                index.Remove(key);
                Run.ReturnList(list);
            }
        }
    }

    private static long Saturating(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private bool SightedWithin(HostState<TEvent> state, JoinKey key, PartialSequence<TEvent> sequence)
    {
        foreach (var step in Query.MissingSteps)
        {
            if (step.Before == Query.StageCount)
            {
                continue;
            }

            foreach (var sighting in state.Sightings)
            {
                if (sighting.Definition != step.Definition || !sighting.Key.Equals(key))
                {
                    continue;
                }

                var inWindow = step.Before == 0
                    ? sighting.Position.Timestamp >= sequence.Last.Timestamp - spanNanos && sighting.Position.IsStrictlyBefore(sequence.Events[0].Position)
                    : sequence.Events[step.Before - 1].Position.IsStrictlyBefore(sighting.Position) && sighting.Position.IsStrictlyBefore(sequence.Events[step.Before].Position);
                if (inWindow)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Records an event that satisfies a missing-event step: it cancels awaiting matches of its key whose trailing window
    /// it falls in, and is remembered for sequences that complete later with a leading or middle missing step.
    /// </summary>
    private void SeeMissing(HostState<TEvent> state, PendingEvent<TEvent> next, Run run)
    {
        foreach (var step in Query.MissingSteps)
        {
            if (!next.Classification.Satisfies(step.Definition) || next.KeyOf(step.Definition, Query) is not { } key)
            {
                continue;
            }

            if (step.Before == Query.StageCount)
            {
                var removed = state.Awaiting.RemoveAll(a =>
                    a.Key.Equals(key) && a.Sequence.Last.Position.IsStrictlyBefore(next.Position) && next.Timestamp <= a.Deadline);
                run.MissingEvent += removed;
            }
            else if (state.Sightings.Count == 0 || state.Sightings[^1] != new MissingSighting(step.Definition, key, next.Position))
            {
                state.Sightings.Add(new MissingSighting(step.Definition, key, next.Position));
            }
        }
    }

    /// <summary>
    /// A sample: per join key, one event per filter in any time order, within the span. An event fills the first filter it
    /// satisfies whose slot is empty (a newer event replaces the older in a full slot). Once every filter holds an event
    /// the sample is reported (events in filter order) and the key reports no other sample for one span, as Elasticsearch
    /// returns one sample per key combination.
    /// </summary>
    private void MatchSample(HostState<TEvent> state, PendingEvent<TEvent> next, Run run)
    {
        var placed = new List<JoinKey>();
        for (var filter = 0; filter < Query.StageCount; filter++)
        {
            if (!next.Classification.Satisfies(filter) || next.KeyAt(filter, Query) is not { } key || placed.Contains(key))
            {
                continue;
            }

            if (state.Sampled.TryGetValue(key, out var until) && next.Timestamp <= until)
            {
                continue;
            }

            var slots = state.SlotsFor(key);
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i] is { } old && next.Timestamp - old.Start > spanNanos)
                {
                    slots[i] = null;
                    run.MaxSpan++;
                }
            }

            var target = filter;
            if (slots[filter] is not null)
            {
                for (var other = filter + 1; other < slots.Length; other++)
                {
                    if (slots[other] is null && next.Classification.Satisfies(other) && next.KeyAt(other, Query) is { } otherKey && otherKey.Equals(key))
                    {
                        target = other;
                        break;
                    }
                }
            }

            if (slots[target] is not null)
            {
                run.Overwritten++;
            }

            slots[target] = new PartialSequence<TEvent>([next]);
            Keep(next, run);
            AddStart(state, key, next.Timestamp);
            placed.Add(key);
            if (Array.TrueForAll(slots, s => s is not null))
            {
                var events = slots.Select(s => s!.Events[0]).ToList();
                run.Matches.Add(new SequenceMatch<TEvent>(
                    state.HostId,
                    key,
                    events.Select(e => e.Document).ToArray(),
                    events.Select(e => e.Id).ToArray(),
                    events.Min(e => e.Timestamp),
                    events.Max(e => e.Timestamp)));
                state.Partials.Remove(key);
                state.Sampled[key] = Saturating(next.Timestamp, spanNanos);
            }
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
    /// Drops what can no longer matter: every later event has @timestamp at or after <paramref name="releasedTimestamp"/>,
    /// so a partial that started more than the span before it would fail maxspan, a sighting older than the span lies
    /// outside every window still to be checked, and a reported sample key may report again. Dropping them early changes
    /// no result; it only keeps the state small.
    /// </summary>
    /// <remarks>
    /// Partials are found through <see cref="HostState{TEvent}.Starts"/>, earliest first, so a release visits only the
    /// partials it drops, not every pending key.
    /// </remarks>
    private void Prune(HostState<TEvent> state, long releasedTimestamp, Run run)
    {
        var horizon = releasedTimestamp - spanNanos;
        while (state.Starts.TryPeek(out var key, out var start) && start < horizon)
        {
            state.Starts.Dequeue();
            if (!state.Partials.TryGetValue(key, out var slots))
            {
                continue;
            }

            var changed = false;
            var any = false;
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i] is { } partial && partial.Start < horizon)
                {
                    Ended(state, partial, run);
                    slots[i] = null;
                    run.MaxSpan++;
                    changed = true;
                }

                any |= slots[i] is not null;
            }

            if (!any)
            {
                state.Partials.Remove(key);
            }
            else if (changed)
            {
                state.Partials.MarkChanged(key);
            }
        }

        if (state.Sightings.Count > 0 && state.Sightings[0].Position.Timestamp < horizon)
        {
            // Sightings are added in release order: the expired ones are a prefix.
            var expired = 0;
            while (expired < state.Sightings.Count && state.Sightings[expired].Position.Timestamp < horizon)
            {
                expired++;
            }

            state.Sightings.RemoveRange(0, expired);
        }

        if (state.Sampled.Count > 0)
        {
            ForgetSampled(state, releasedTimestamp);
        }
    }

    // Apart from Prune, which runs on every release: a lambda capturing the timestamp there would allocate its closure
    // on every call, sampled keys or not.
    private static void ForgetSampled(HostState<TEvent> state, long releasedTimestamp)
    {
        foreach (var key in state.Sampled.Where(s => s.Value < releasedTimestamp).Select(s => s.Key).ToArray())
        {
            state.Sampled.Remove(key);
        }
    }

    /// <summary>Remembers a new partial's first @timestamp for <see cref="Prune"/>.</summary>
    private static void AddStart(HostState<TEvent> state, JoinKey key, long start)
    {
        state.Starts.Enqueue(key, start);
        if (state.Starts.Count > (4 * state.Partials.Count * state.SlotCount) + 64)
        {
            // Mostly entries of partials already consumed: start over from the live ones (amortized over the pushes).
            state.RebuildStarts();
        }
    }

    /// <summary>
    /// Keeps a state within <see cref="SequenceEngineOptions.MaxPendingKeys"/>: past it, evicts the keys that changed
    /// longest ago (their partials are the oldest evidence), each in constant time.
    /// </summary>
    private void EnforceKeyLimit(HostState<TEvent> state, Run run)
    {
        var limit = Options.MaxPendingKeys;
        while (limit > 0 && state.Partials.Count > limit && state.Partials.LeastRecent is { } victim)
        {
            state.Partials.Remove(victim, out var slots);
            run.StateLimit += slots!.Count(p => p is not null);
            foreach (var partial in slots!)
            {
                Ended(state, partial, run);
            }
        }
    }

    /// <summary>What one engine call produced, collected as it goes.</summary>
    private sealed class Run
    {
        // One per thread, reused by every call on it (a call is one event: an object per call is an object per event).
        [ThreadStatic]
        private static Run? spare;

        // Emptied lists of the buffer's per-key index, for the next keys indexed on this thread: an index holds one list
        // per key of a buffered event, and most keys' lists live only while their one event waits out the lateness.
        [ThreadStatic]
        private static Stack<List<PendingEvent<TEvent>>>? spareLists;

        public static Run Rent()
        {
            var run = spare ?? new Run();
            spare = null;
            return run;
        }

        public static List<PendingEvent<TEvent>> RentList() =>
            spareLists is not null && spareLists.TryPop(out var list) ? list : new List<PendingEvent<TEvent>>(1);

        public static void ReturnList(List<PendingEvent<TEvent>> list)
        {
            spareLists ??= new Stack<List<PendingEvent<TEvent>>>();
            if (spareLists.Count < 1024 && list.Capacity <= 16)
            {
                spareLists.Push(list);
            }
        }

        /// <summary>A list the early-report preview gathers events in, empty between calls.</summary>
        public List<PendingEvent<TEvent>> Scratch { get; } = [];

        /// <summary>Gives this run back for the thread's next call; its matches now belong to the caller.</summary>
        public void Return()
        {
            Found = null;
            MaxSpan = Until = Overwritten = StateLimit = MissingEvent = 0;
            if (Completions is null)
            {
                spare = this;
            }
        }

        /// <summary>The matches found so far; null until the first.</summary>
        public List<SequenceMatch<TEvent>>? Found { get; private set; }

        public List<SequenceMatch<TEvent>> Matches => Found ??= [];

        /// <summary>Set for a preview (early report) run: each completed sequence with its key and last event.</summary>
        public List<(JoinKey Key, EventPosition First, EventPosition Last, SequenceMatch<TEvent> Match)>? Completions { get; init; }

        public long MaxSpan { get; set; }

        public long Until { get; set; }

        public long Overwritten { get; set; }

        public long StateLimit { get; set; }

        public long MissingEvent { get; set; }

        public RejectionCounts Rejections() => new(MaxSpan, Until, Overwritten, StateLimit, MissingEvent);
    }

    private sealed class PositionComparer : IComparer<PendingEvent<TEvent>>
    {
        public static PositionComparer Instance { get; } = new();

        public int Compare(PendingEvent<TEvent>? x, PendingEvent<TEvent>? y) => x!.Position.CompareTo(y!.Position);
    }
}
