using Vigil.Eql.Documents;

namespace Vigil.Eql;

/// <summary>The fields sequence matching itself reads: ordering (@timestamp, event.sequence), identity (event.id) and partition (host.id).</summary>
internal sealed class StandardFields<TEvent>(
    FieldAccessor<TEvent> timestamp,
    FieldAccessor<TEvent> sequence,
    FieldAccessor<TEvent> id,
    FieldAccessor<TEvent> hostId)
{
    /// <summary>Epoch nanoseconds, or null when the event has no @timestamp.</summary>
    public long? Timestamp(TEvent document) => timestamp(document).First is { Kind: EqlValueKind.Integer } t ? t.AsInteger : null;

    public long Sequence(TEvent document) => sequence(document).First is { Kind: EqlValueKind.Integer } s ? s.AsInteger : 0;

    public string Id(TEvent document) => id(document).First is { Kind: EqlValueKind.String } s ? s.AsString : string.Empty;

    /// <summary>host.id, or "" for documents without one (they form a single stream).</summary>
    public string HostId(TEvent document) => hostId(document).First is { Kind: EqlValueKind.String } s ? s.AsString : string.Empty;
}
