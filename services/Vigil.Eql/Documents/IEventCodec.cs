namespace Vigil.Eql.Documents;

/// <summary>Turns events into bytes and back, so sequence state holding evidence events can be stored.</summary>
public interface IEventCodec<TEvent>
{
    byte[] Encode(TEvent document);

    TEvent Decode(ReadOnlySpan<byte> bytes);

    /// <summary>
    /// The length of the encoding to keep instead of <paramref name="document"/> when it is held past the current moment,
    /// or -1 to keep the document itself. A decoder that hands out views valid only for their batch (an event parsed
    /// for a few fields) answers with its encoding's length: the holder keeps those bytes (which a store needs anyway,
    /// written by <see cref="WriteHeldEncoding"/> where the holder wants them) and decodes the whole event from them
    /// only when it outputs it.
    /// </summary>
    int HeldEncodingLength(TEvent document) => -1;

    /// <summary>Writes the encoding <see cref="HeldEncodingLength"/> measured into <paramref name="destination"/>.</summary>
    void WriteHeldEncoding(TEvent document, Span<byte> destination) =>
        throw new NotSupportedException("This codec holds documents as they are.");
}
