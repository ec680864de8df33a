namespace Vigil.Eql.Documents;

/// <summary>Turns events into bytes and back, so sequence state holding evidence events can be stored.</summary>
public interface IEventCodec<TEvent>
{
    byte[] Encode(TEvent document);

    TEvent Decode(ReadOnlySpan<byte> bytes);
}
