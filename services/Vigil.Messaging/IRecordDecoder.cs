namespace Vigil.Messaging;

/// <summary>Turns a record value into a message; throws <see cref="RecordDecodeException"/> when it cannot.</summary>
public interface IRecordDecoder<out T>
{
    T Decode(ReadOnlySpan<byte> value);
}
