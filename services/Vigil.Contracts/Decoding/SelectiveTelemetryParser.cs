using System.Collections.Concurrent;
using Google.Protobuf;
using Vigil.Contracts.Telemetry;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// Parses <see cref="TelemetryEvent"/> payloads reading only the fields of a <see cref="FieldSelection"/>: the rest is
/// checked (as the generated parser would check it) and skipped, and strings of low-cardinality fields come from
/// bounded caches. The event keeps a copy of its payload, so whoever keeps or outputs it first calls
/// <see cref="TelemetryEvent.Complete"/>, which parses it whole. A payload the generated parser would reject is
/// rejected with the generated parser's own exception; one this parser leaves to it (groups, unexpected wire types,
/// deep nesting) comes back parsed whole.
/// </summary>
/// <remarks>
/// Safe to use from several threads: each thread has its own caches, message pools and payload arena. Payloads and
/// partial events are reused only after <see cref="ReleasePayloads"/> on the parsing thread; an event completed
/// (<see cref="TelemetryEvent.Complete"/>) or detached (<see cref="TelemetryEvent.Detach"/>) before that is never
/// reused, completing or detaching one after it fails loudly, and any other partial event (or a sub-message taken from
/// one) must not be used after it.
/// </remarks>
public sealed class SelectiveTelemetryParser
{
    /// <summary>
    /// The plans of each selection, built once per process: building compiles a setter, creator and reset per field
    /// and message type, work that a second parser of the same selection (a restarted consumer, a second host) would
    /// otherwise repeat, and whose compiler code the runtime would then recompile at tier 1 while events flow. Plans
    /// hold no per-thread state (that is <see cref="ParseState"/>), so parsers share them.
    /// </summary>
    private static readonly ConcurrentDictionary<string, Lazy<CompiledPlans>> Compiled = new(StringComparer.Ordinal);

    private readonly MessagePlan plan;
    private readonly ThreadLocal<ParseState> states;

    public SelectiveTelemetryParser(FieldSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (selection.Root != TelemetryEvent.Descriptor)
        {
            throw new ArgumentException($"A selection of {selection.Root.FullName} cannot parse {TelemetryEvent.Descriptor.FullName}.", nameof(selection));
        }

        Selection = selection;
        var compiled = Compiled.GetOrAdd(string.Join(",", selection.Paths), _ => new Lazy<CompiledPlans>(() => CompiledPlans.Build(selection))).Value;
        plan = compiled.Root;
        states = new ThreadLocal<ParseState>(() => new ParseState(compiled.Strings.Value!, compiled.Pools));
    }

    public FieldSelection Selection { get; }

    /// <summary>The event with the selected fields read; throws <see cref="InvalidProtocolBufferException"/> where the generated parser would.</summary>
    public TelemetryEvent Parse(ReadOnlySpan<byte> payload)
    {
        var state = states.Value!;
        var e = (TelemetryEvent)state.Pools[plan.Id].Rent();
        // The copy the event keeps is made first and walked: one streaming copy pulls the record out of librdkafka's
        // buffer (written by its fetch thread, on another core) in one go, and the walk then reads bytes in cache.
        var kept = state.Arena.Keep(payload, out var copy);
        try
        {
            SelectiveWalk.Walk(copy, plan, e, state, 0);
        }
        catch (SelectiveParseAbandoned)
        {
            return TelemetryEvent.Parser.ParseFrom(payload);
        }

        e.KeepPayload(kept);
        return e;
    }

    /// <summary>
    /// Lets this thread's payload copies be overwritten and its partial events and their sub-messages be reused: every
    /// event this thread parsed so far is either complete, detached or no longer used (the consume loop calls this once a
    /// batch was handled). Completed and detached events are never reused.
    /// </summary>
    public void ReleasePayloads()
    {
        if (states.IsValueCreated)
        {
            states.Value!.Release();
        }
    }
}
