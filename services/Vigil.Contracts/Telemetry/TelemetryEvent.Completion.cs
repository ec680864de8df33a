using Google.Protobuf;
using Google.Protobuf.Reflection;
using Vigil.Contracts.Decoding;

namespace Vigil.Contracts.Telemetry;

/// <summary>
/// A <see cref="TelemetryEvent"/> parsed by <see cref="SelectiveTelemetryParser"/> holds only the fields its reader
/// selected until <see cref="Complete"/> parses the rest from the payload it kept. Such an event belongs to its batch:
/// once the batch is released, a partial event (and any sub-message taken from it) is reused for a later record.
/// Anything that keeps an event past its batch therefore takes it out of reuse first, before the batch is released:
/// <see cref="Complete"/> (whole, for what outputs it: alerts' evidence, sequence state, serialization) or
/// <see cref="Detach"/> (only the selected fields, cheaper). Both are refused, loudly, once the batch was released.
/// </summary>
public sealed partial class TelemetryEvent
{
    private RetainedPayload? partialPayload;

    /// <summary>True while only the selected fields of this event are read (see <see cref="Complete"/>).</summary>
    public bool IsPartial => partialPayload is not null;

    /// <summary>True for a partial event taken out of its batch's reuse by <see cref="Detach"/>.</summary>
    public bool IsDetached { get; private set; }

    /// <summary>
    /// Makes this event whole, in place: equal, field for field, to the generated parser's result for its payload.
    /// Does nothing for an event that is already whole. Throws when the payload was released (completing too late).
    /// A completed event is never reused.
    /// </summary>
    public void Complete()
    {
        if (partialPayload is not { } kept)
        {
            return;
        }

        var payload = kept.Bytes;
        partialPayload = null;
        IsDetached = false;
        foreach (var field in Descriptor.Fields.InFieldNumberOrder())
        {
            field.Accessor.Clear(this);
        }

        // Parsed once already (the selective parse checked what the generated parser checks), so this cannot fail.
        this.MergeFrom(payload);
    }

    /// <summary>
    /// Makes this partial event its keeper's without parsing it whole: it keeps the selected fields' values after its
    /// batch is released (its sub-messages become copies of its own, its payload a copy of its own, so it can still be
    /// completed later) and is never reused. Does nothing for an event that is whole or detached already. Throws when
    /// the batch was released already: by then the event may hold another record's values.
    /// </summary>
    public void Detach()
    {
        if (partialPayload is not { } kept || IsDetached)
        {
            return;
        }

        var own = kept.Bytes.ToArray();
        foreach (var field in Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType == FieldType.Message && !field.IsRepeated && field.Accessor.GetValue(this) is IMessage pooled)
            {
                // The pooled sub-message goes back to its pool at release; this event keeps an equal copy.
                field.Accessor.SetValue(this, field.MessageType.Parser.ParseFrom(pooled.ToByteArray()));
            }
        }

        partialPayload = RetainedPayload.Own(own);
        IsDetached = true;
    }
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
