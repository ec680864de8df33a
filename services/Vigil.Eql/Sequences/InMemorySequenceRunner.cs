namespace Vigil.Eql.Sequences;

/// <summary>
/// Runs a query over a whole event stream in memory, one <see cref="HostState{TEvent}"/> per host.id: the offline
/// (backtest) counterpart of a streaming service that keeps the same states in a store. Call <see cref="Flush"/> at the
/// end of input.
/// </summary>
public sealed class InMemorySequenceRunner<TEvent>(SequenceEngine<TEvent> engine)
{
    private readonly Dictionary<string, HostState<TEvent>> hosts = new(StringComparer.Ordinal);

    /// <summary>Events dropped so far because they arrived later than the lateness allows.</summary>
    public long LateEvents { get; private set; }

    /// <summary>Hosts currently holding state.</summary>
    public int HostCount => hosts.Count;

    public IReadOnlyList<SequenceMatch<TEvent>> Process(TEvent document) => Process(document, engine.Query.Classify(document));

    /// <summary>Feeds one event the caller has already classified with the engine's query (see <see cref="SequenceEngine{TEvent}.Process(HostState{TEvent}, TEvent, EventClassification)"/>).</summary>
    public IReadOnlyList<SequenceMatch<TEvent>> Process(TEvent document, EventClassification classification)
    {
        if (!classification.IsRelevant)
        {
            // Nothing to change: an irrelevant event would only create (and drop) an empty state.
            return [];
        }

        if (!engine.Query.IsStateful)
        {
            // A single-event query keeps no state: no host state to create, look up or drop.
            return engine.MatchEvent(document, classification) is { } single ? [single] : [];
        }

        var host = engine.HostOf(document);
        if (!hosts.TryGetValue(host, out var state))
        {
            state = engine.CreateState(host);
        }

        var result = engine.Process(state, document, classification);
        state.ReturnReleased();
        LateEvents += result.LateEvents;
        if (state.IsEmpty)
        {
            hosts.Remove(host);
        }
        else
        {
            hosts[host] = state;
        }

        return result.Matches;
    }

    /// <summary>Releases every host's buffered events (hosts in host.id order) and returns the matches they complete.</summary>
    public IReadOnlyList<SequenceMatch<TEvent>> Flush()
    {
        var matches = new List<SequenceMatch<TEvent>>();
        foreach (var host in hosts.Keys.Order(StringComparer.Ordinal).ToArray())
        {
            var state = hosts[host];
            matches.AddRange(engine.Flush(state).Matches);
            state.ReturnReleased();
            if (state.IsEmpty)
            {
                hosts.Remove(host);
            }
        }

        return matches;
    }
}
