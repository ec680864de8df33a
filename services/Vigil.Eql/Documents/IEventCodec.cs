namespace Vigil.Eql.Documents;

/// <summary>Turns events into bytes and back, so sequence state holding evidence events can be stored.</summary>
public interface IEventCodec<TEvent>
{
    byte[] Encode(TEvent document);

    TEvent Decode(ReadOnlySpan<byte> bytes);

    /// <summary>
    /// The bytes to keep instead of <paramref name="document"/> when it is held past the current moment, or null to keep
    /// the document itself. A decoder that hands out views valid only for their batch (an event parsed for a few
    /// fields) answers with the event's encoding: the holder keeps those bytes (which a store needs anyway) and decodes
    /// the whole event from them only when it outputs it.
    /// </summary>
    byte[]? EncodingToHold(TEvent document) => null;
}
