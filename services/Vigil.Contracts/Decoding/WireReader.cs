using System.Buffers.Binary;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// Reads protobuf wire format from a span without allocating. Anything Google.Protobuf would reject, and anything it
/// would accept in a way this reader does not mirror (groups, a known field with another wire type), ends the selective
/// parse with <see cref="SelectiveParseAbandoned"/>: the caller then parses the payload with the generated parser,
/// which returns the message or throws its own exception, so what is accepted and rejected never differs.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> data = data;
    private int position;

    public readonly bool End => position >= data.Length;

    /// <summary>The next tag; field number 0 and wire types 3, 4, 6, 7 (groups and invalid) abandon the parse.</summary>
    public uint ReadTag()
    {
        var tag = ReadVarint32();
        var wireType = tag & 7;
        if ((tag >> 3) == 0 || wireType is 3 or 4 or 6 or 7)
        {
            throw SelectiveParseAbandoned.Instance;
        }

        return tag;
    }

    public ulong ReadVarint64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                throw SelectiveParseAbandoned.Instance;
            }

            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw SelectiveParseAbandoned.Instance;
    }

    public ulong ReadFixed64()
    {
        if (data.Length - position < 8)
        {
            throw SelectiveParseAbandoned.Instance;
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(position, 8));
        position += 8;
        return value;
    }

    public uint ReadFixed32()
    {
        if (data.Length - position < 4)
        {
            throw SelectiveParseAbandoned.Instance;
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(position, 4));
        position += 4;
        return value;
    }

    /// <summary>A length-delimited field's bytes; a negative length or one past the end abandons the parse.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = (int)ReadVarint32();
        if (length < 0 || length > data.Length - position)
        {
            throw SelectiveParseAbandoned.Instance;
        }

        var bytes = data.Slice(position, length);
        position += length;
        return bytes;
    }

    /// <summary>Skips a value of <paramref name="wireType"/> (never a group: <see cref="ReadTag"/> refused those).</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint64();
                break;
            case Fixed64:
                ReadFixed64();
                break;
            case LengthDelimited:
                ReadLengthDelimited();
                break;
            default:
                ReadFixed32();
                break;
        }
    }

    /// <summary>As Google.Protobuf reads tags and lengths: up to 5 bytes kept, a longer varint's upper bytes discarded (at most 10).</summary>
    private uint ReadVarint32()
    {
        if (position < data.Length && data[position] < 0x80)
        {
            return data[position++];
        }

        var value = ReadVarint64();
        return (uint)value;
    }
}
