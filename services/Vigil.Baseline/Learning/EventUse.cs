using Vigil.Contracts.Telemetry;

namespace Vigil.Baseline.Learning;

/// <summary>
/// What the baseline does with an event, decided by its kind alone (event.category, event.type, event.action and
/// whether it has a dns object): a process start feeds the chain cache, a network connection start, end or DNS lookup
/// may become an <see cref="NetworkObservation"/>, anything else is skipped. Whether a network event becomes an
/// observation also depends on its host and process, which the handler checks.
/// </summary>
public enum EventUse
{
    /// <summary>Neither a process start nor a network event a profile learns from.</summary>
    Skipped,

    /// <summary>A process start (process/start): its process and parent go to the chain cache.</summary>
    ProcessStart,

    /// <summary>A network connection start (network/start).</summary>
    Connection,

    /// <summary>A DNS lookup (network/protocol with a dns object or the lookup_requested action).</summary>
    Lookup,

    /// <summary>A network connection end (network/end).</summary>
    Completion,
}

/// <summary>
/// Sorts events by <see cref="EventUse"/>, and packs the result in the note the consume loop keeps on a record
/// (<see cref="Messaging.IRecordPreparer{T}"/>): the baseline sorts each event on the consume thread right after it was
/// decoded, while its kind's fields are still in that core's cache, and its handler reads the sort from the note.
/// </summary>
public static class EventUses
{
    // The note's top bit says "prepared": 0 stays "not prepared" (the handler sorts the event itself), as the loop's
    // contract has it, whatever the use.
    private const ulong Prepared = 1UL << 63;
    private const ulong UseMask = 0b111;

    /// <summary>What the baseline does with <paramref name="e"/>. A process start is one even when it is also a network event.</summary>
    public static EventUse Of(TelemetryEvent e) =>
        e.Event is { } kind && kind.Category.Contains("process") && kind.Type.Contains("start") ? EventUse.ProcessStart : NetworkUse(e);

    /// <summary>
    /// Which network observation <paramref name="e"/> may make, as if it were no process start:
    /// <see cref="EventUse.Connection"/>, <see cref="EventUse.Lookup"/>, <see cref="EventUse.Completion"/> or
    /// <see cref="EventUse.Skipped"/>.
    /// </summary>
    public static EventUse NetworkUse(TelemetryEvent e)
    {
        if (e.Event is not { } kind || !kind.Category.Contains("network"))
        {
            return EventUse.Skipped;
        }

        return kind.Type.Contains("start") ? EventUse.Connection
            : kind.Type.Contains("end") ? EventUse.Completion
            : kind.Type.Contains("protocol") && (e.Dns is not null || kind.Action == "lookup_requested") ? EventUse.Lookup
            : EventUse.Skipped;
    }

    /// <summary>The observation kind of a network use, or null for <see cref="EventUse.Skipped"/> and <see cref="EventUse.ProcessStart"/>.</summary>
    public static ObservationKind? Observed(EventUse use) => use switch
    {
        EventUse.Connection => ObservationKind.Connection,
        EventUse.Lookup => ObservationKind.Lookup,
        EventUse.Completion => ObservationKind.Completion,
        _ => null,
    };

    /// <summary><paramref name="use"/> as a record's note (never 0).</summary>
    public static ulong Note(EventUse use) => Prepared | (ulong)use;

    /// <summary>
    /// The use a note of <see cref="Note"/> carries; false for 0 (not prepared) or a value no use packs to. A note says
    /// nothing of who wrote it: a consume loop's records carry the notes of its one handler.
    /// </summary>
    public static bool TryRead(ulong note, out EventUse use)
    {
        use = (EventUse)(note & UseMask);
        return (note & ~UseMask) == Prepared && use <= EventUse.Completion;
    }
}
