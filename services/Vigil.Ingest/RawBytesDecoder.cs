using Vigil.Messaging;

namespace Vigil.Ingest;

/// <summary>
/// Hands raw agent records to the ingest handler as they arrived: agents write plain JSON, not Confluent-framed
/// protobuf, so nothing is undecodable at this stage; the adapters judge the bytes and name what is wrong.
/// </summary>
internal sealed class RawBytesDecoder : IRecordDecoder<byte[]>
{
    public byte[] Decode(ReadOnlySpan<byte> value) => value.ToArray();
}
