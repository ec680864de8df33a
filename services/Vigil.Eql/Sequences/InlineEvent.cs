using System.Buffers.Binary;
using System.Text;

namespace Vigil.Eql.Sequences;

/// <summary>
/// One event as a state field stores it inline (see <see cref="HostStateSerializer{TEvent}"/>), byte for byte as a
/// BinaryWriter lays it out: int64 @timestamp, int64 event.sequence, string event.id (7-bit length, UTF-8), uint64
/// satisfied-step bits, bool until, 7-bit length + the event's encoding. An event held encoded is held in exactly this
/// form, so its reorder-buffer field is the array itself and a partial's field copies it whole.
/// </summary>
/// <remarks>
/// An event the state keeps past the reorder buffer (<see cref="CreateKept"/>) has <see cref="Headroom"/> bytes before
/// its inline form and a zero byte per further partial slot after it: the field of a partial holding only this event
/// (slot 0, the common case: a first step waiting for its second) is then those bytes with the partial's change number
/// and event count written in front, a view of the event's own array instead of a copy of it.
/// </remarks>
internal static class InlineEvent
{
    /// <summary>Room for a partial field's change number (a varint64) and its first slot's event count (1).</summary>
    public const int Headroom = 11;

    public static int Size(string id, int encodingLength)
    {
        var idLength = Encoding.UTF8.GetByteCount(id);
        return 8 + 8 + VarintSize((uint)idLength) + idLength + 8 + 1 + VarintSize((uint)encodingLength) + encodingLength;
    }

    /// <summary>Writes everything before the encoding; returns where the encoding goes.</summary>
    public static int WriteHead(Span<byte> span, long timestamp, long sequence, string id, EventClassification classification, int encodingLength)
    {
        BinaryPrimitives.WriteInt64LittleEndian(span, timestamp);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], sequence);
        var at = 16;
        at += WriteVarint(span[at..], (uint)Encoding.UTF8.GetByteCount(id));
        at += Encoding.UTF8.GetBytes(id, span[at..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[at..], classification.Steps);
        at += 8;
        span[at++] = classification.Until ? (byte)1 : (byte)0;
        at += WriteVarint(span[at..], (uint)encodingLength);
        return at;
    }

    /// <summary>
    /// A new array for an event the state keeps, its inline form of <paramref name="size"/> bytes at
    /// <see cref="Headroom"/>, then <paramref name="slots"/> - 1 zero bytes (see the remarks).
    /// </summary>
    public static byte[] CreateKept(int size, int slots) => new byte[KeptLength(size, slots)];

    /// <summary>The bytes <see cref="CreateKept"/> lays out (a pooled array may be longer: the bytes past them are unused).</summary>
    public static int KeptLength(int size, int slots) => Headroom + size + Math.Max(0, slots - 1);

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>.NET's 7-bit encoding (BinaryWriter.Write7BitEncodedInt64 of a non-negative value).</summary>
    public static int WriteVarint(Span<byte> span, ulong value)
    {
        var at = 0;
        while (value >= 0x80)
        {
            span[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[at++] = (byte)value;
        return at;
    }
}
