using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Vigil.SchemaRegistry;

/// <summary>
/// A record value in Confluent Schema Registry's protobuf wire format, which Kafka tooling (ksqlDB, Kafka
/// Connect, Flink, Confluent's serializers in every language) reads and writes:
/// <code>
/// byte 0      magic byte 0x00
/// bytes 1-4   schema id as registered in the Schema Registry, int32 big-endian
/// bytes 5-    message-index path naming the message type inside the schema's .proto file:
///               a zigzag varint count N, then N zigzag varint indexes, outermost first
///               (top-level message index in the file, then nested message index in its parent);
///               the path [0] (the file's first message) is written as the single byte 0x00,
///               and readers take a count of 0 to mean [0]
/// then        the protobuf-serialized message, to the end of the value
/// </code>
/// Varints are Kafka's ByteUtils varints: zigzag-encoded, 7 bits per byte, least significant group first,
/// at most 5 bytes. Examples: id 1 path [0] is 00 00 00 00 01 00; id 0x01020304 path [1] is
/// 00 01 02 03 04 02 02; path [1, 0] is 04 02 00.
/// Reading returns views into the value (no copy); writing sizes the frame once and writes the header and
/// the message into a single buffer.
/// </summary>
public readonly ref struct ConfluentProtobufFrame
{
    /// <summary>First byte of every frame.</summary>
    public const byte MagicByte = 0x00;

    private const int SchemaIdOffset = 1;
    private const int PrefixLength = 5;

    private ConfluentProtobufFrame(int schemaId, ReadOnlySpan<byte> encodedMessageIndexes, ReadOnlySpan<byte> payload)
    {
        SchemaId = schemaId;
        EncodedMessageIndexes = encodedMessageIndexes;
        Payload = payload;
    }

    public int SchemaId { get; }

    /// <summary>The message-index path bytes as they appear in the frame (already validated).</summary>
    public ReadOnlySpan<byte> EncodedMessageIndexes { get; }

    /// <summary>The protobuf-serialized message.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The decoded message-index path; [0] comes back as the shared <see cref="MessageIndexPath.First"/>.</summary>
    public MessageIndexPath MessageIndexes
    {
        get
        {
            var indexes = EncodedMessageIndexes;
            ZigZagVarint.TryRead(indexes, out var count, out var offset);
            if (count == 0 || (count == 1 && indexes[offset] == 0))
            {
                return MessageIndexPath.First;
            }

            var path = new int[count];
            for (var i = 0; i < count; i++)
            {
                ZigZagVarint.TryRead(indexes[offset..], out path[i], out var consumed);
                offset += consumed;
            }

            return new MessageIndexPath(path);
        }
    }

    /// <summary>Whether the frame's path is <paramref name="expected"/>, compared without allocating.</summary>
    public bool HasMessageIndexes(MessageIndexPath expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var indexes = EncodedMessageIndexes;
        ZigZagVarint.TryRead(indexes, out var count, out var offset);
        if (count == 0)
        {
            return expected.IsFirst;
        }

        if (count != expected.Indexes.Count)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            ZigZagVarint.TryRead(indexes[offset..], out var index, out var consumed);
            if (index != expected.Indexes[i])
            {
                return false;
            }

            offset += consumed;
        }

        return true;
    }

    /// <summary>
    /// Splits <paramref name="value"/> into schema id, message-index path and payload.
    /// Throws <see cref="InvalidFrameException"/> (bad-magic-byte, truncated-frame, malformed-varint, or
    /// unknown-message-index for a negative count or index) when the header is not well formed.
    /// The payload is not parsed here.
    /// </summary>
    public static ConfluentProtobufFrame Read(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            throw new InvalidFrameException(FrameRejectionReason.TruncatedFrame, "The record value is empty; a framed record has at least 6 bytes.");
        }

        if (value[0] != MagicByte)
        {
            throw new InvalidFrameException(
                FrameRejectionReason.BadMagicByte,
                $"The record value starts with 0x{value[0]:X2}, not the Schema Registry magic byte 0x00.");
        }

        if (value.Length < PrefixLength)
        {
            throw new InvalidFrameException(
                FrameRejectionReason.TruncatedFrame,
                $"The record value has {value.Length} bytes; the magic byte and schema id need 5.");
        }

        var schemaId = BinaryPrimitives.ReadInt32BigEndian(value.Slice(SchemaIdOffset, sizeof(int)));
        var rest = value[PrefixLength..];
        var offset = ReadVarint(rest, 0, schemaId, "message-index count", out var count);
        if (count < 0)
        {
            throw new InvalidFrameException(
                FrameRejectionReason.UnknownMessageIndex, $"The message-index count is negative ({count}).", schemaId);
        }

        // Every index takes at least one byte, so a count beyond the remaining bytes can only be truncated.
        if (count > rest.Length - offset)
        {
            throw new InvalidFrameException(
                FrameRejectionReason.TruncatedFrame,
                $"The message-index path declares {count} indexes but only {rest.Length - offset} bytes follow.",
                schemaId);
        }

        for (var i = 0; i < count; i++)
        {
            offset = ReadVarint(rest, offset, schemaId, $"message index {i}", out var index);
            if (index < 0)
            {
                throw new InvalidFrameException(
                    FrameRejectionReason.UnknownMessageIndex, $"Message index {i} is negative ({index}).", schemaId);
            }
        }

        return new ConfluentProtobufFrame(schemaId, rest[..offset], rest[offset..]);
    }

    /// <summary>Bytes of the header (magic byte, schema id, message-index path) that precede the payload.</summary>
    public static int HeaderLength(MessageIndexPath messageIndexes)
    {
        ArgumentNullException.ThrowIfNull(messageIndexes);
        return PrefixLength + messageIndexes.EncodedLength;
    }

    /// <summary>Writes the header into <paramref name="destination"/> and returns its length.</summary>
    public static int WriteHeader(Span<byte> destination, int schemaId, MessageIndexPath messageIndexes)
    {
        var length = HeaderLength(messageIndexes);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The header needs {length} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        destination[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(destination.Slice(SchemaIdOffset, sizeof(int)), schemaId);
        messageIndexes.WriteTo(destination[PrefixLength..]);
        return length;
    }

    /// <summary>Frames <paramref name="message"/> into one exactly-sized array.</summary>
    public static byte[] Write(int schemaId, MessageIndexPath messageIndexes, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var headerLength = HeaderLength(messageIndexes);
        var frame = GC.AllocateUninitializedArray<byte>(headerLength + message.CalculateSize());
        WriteHeader(frame, schemaId, messageIndexes);
        message.WriteTo(frame.AsSpan(headerLength));
        return frame;
    }

    /// <summary>Frames <paramref name="message"/> into <paramref name="destination"/> (e.g. a pooled buffer).</summary>
    public static void Write(IBufferWriter<byte> destination, int schemaId, MessageIndexPath messageIndexes, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(message);
        var headerLength = WriteHeader(destination.GetSpan(HeaderLength(messageIndexes)), schemaId, messageIndexes);
        destination.Advance(headerLength);
        message.WriteTo(destination);
    }

    private static int ReadVarint(ReadOnlySpan<byte> source, int offset, int schemaId, string what, out int value)
    {
        switch (ZigZagVarint.TryRead(source[offset..], out value, out var consumed))
        {
            case VarintReadStatus.Read:
                return offset + consumed;
            case VarintReadStatus.Truncated:
                throw new InvalidFrameException(
                    FrameRejectionReason.TruncatedFrame, $"The record value ends inside the {what} varint.", schemaId);
            default:
                throw new InvalidFrameException(
                    FrameRejectionReason.MalformedVarint, $"The {what} varint is longer than 5 bytes or exceeds 32 bits.", schemaId);
        }
    }
}
