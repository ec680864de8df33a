using Google.Protobuf;
using Vigil.Contracts.Decoding;

namespace Vigil.Contracts.Telemetry;

/// <summary>
/// A <see cref="TelemetryEvent"/> parsed by <see cref="SelectiveTelemetryParser"/> holds only the fields its reader
/// selected until <see cref="Complete"/> parses the rest from the payload it kept. Anything that keeps an event past
/// its batch or outputs it (alerts' evidence, sequence state, aggregation, serialization) completes it first: once
/// the batch is released, a partial event (and any sub-message taken from it) is reused for a later record, while a
/// completed one is the caller's for good.
/// </summary>
public sealed partial class TelemetryEvent
{
    private RetainedPayload? partialPayload;

    /// <summary>True while only the selected fields of this event are read (see <see cref="Complete"/>).</summary>
    public bool IsPartial => partialPayload is not null;

    /// <summary>
    /// Makes this event whole, in place: equal, field for field, to the generated parser's result for its payload.
    /// Does nothing for an event that is already whole. Throws when the payload was released (completing too late).
    /// </summary>
    public void Complete()
    {
        if (partialPayload is not { } kept)
        {
            return;
        }

        var payload = kept.Bytes;
        partialPayload = null;
        foreach (var field in Descriptor.Fields.InFieldNumberOrder())
        {
            field.Accessor.Clear(this);
        }

        // Parsed once already (the selective parse checked what the generated parser checks), so this cannot fail.
        this.MergeFrom(payload);
    }

    /// <summary>
    /// A copy of the payload a partial event was parsed from (what <see cref="Complete"/> parses, so decoding it gives
    /// the whole event); null for a whole event. Lets a holder keep the bytes instead of completing the event. Throws
    /// when the payload was released, as <see cref="Complete"/> does.
    /// </summary>
    public byte[]? CopyPayload() => partialPayload is { } kept ? kept.Bytes.ToArray() : null;

    /// <summary>The length of the payload of a partial event; -1 for a whole event.</summary>
    public int PartialPayloadLength => partialPayload is { } kept ? kept.Bytes.Length : -1;

    /// <summary>Copies a partial event's payload (see <see cref="CopyPayload"/>) into <paramref name="destination"/>.</summary>
    public void CopyPayloadTo(Span<byte> destination)
    {
        if (partialPayload is not { } kept)
        {
            throw new InvalidOperationException("The event is whole: it keeps no payload.");
        }

        kept.Bytes.CopyTo(destination);
    }

    internal void KeepPayload(RetainedPayload payload) => partialPayload = payload;
}
