namespace Vigil.SchemaRegistry;

/// <summary>
/// Signed 32-bit varints with zigzag encoding, as Kafka's ByteUtils.writeVarint/readVarint write them
/// (at most 5 bytes). Confluent uses this encoding for the message-index path of protobuf frames.
/// </summary>
internal static class ZigZagVarint
{
    public const int MaxLength = 5;

    public static int Length(int value)
    {
        var zigzag = ZigZag(value);
        var length = 1;
        while ((zigzag & ~0x7Fu) != 0)
        {
            zigzag >>= 7;
            length++;
        }

        return length;
    }

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/> and returns the bytes written.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        var zigzag = ZigZag(value);
        var written = 0;
        while ((zigzag & ~0x7Fu) != 0)
        {
            destination[written++] = (byte)((zigzag & 0x7F) | 0x80);
            zigzag >>= 7;
        }

        destination[written++] = (byte)zigzag;
        return written;
    }

    /// <summary>
    /// Reads one varint from the start of <paramref name="source"/>. A fifth byte that continues or carries
    /// bits beyond 32 is malformed (Kafka's reader rejects the former as "Varint is too long").
    /// </summary>
    public static VarintReadStatus TryRead(ReadOnlySpan<byte> source, out int value, out int consumed)
    {
        uint raw = 0;
        for (var i = 0; i < MaxLength; i++)
        {
            if (i >= source.Length)
            {
                value = consumed = 0;
                return VarintReadStatus.Truncated;
            }

            var b = source[i];
            if (i == MaxLength - 1 && (b & 0xF0) != 0)
            {
                value = consumed = 0;
                return VarintReadStatus.Malformed;
            }

            raw |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                value = (int)(raw >> 1) ^ -(int)(raw & 1);
                consumed = i + 1;
                return VarintReadStatus.Read;
            }
        }

        // Unreachable: the fifth byte either ends the varint or is rejected above.
        value = consumed = 0;
        return VarintReadStatus.Malformed;
    }

    private static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));
}

/// <summary>Outcome of reading one varint.</summary>
internal enum VarintReadStatus
{
    Read,
    Truncated,
    Malformed,
}
