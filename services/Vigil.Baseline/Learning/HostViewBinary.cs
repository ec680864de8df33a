using System.Text;

namespace Vigil.Baseline.Learning;

/// <summary>
/// The compact encoding of a host view stored in field "s" since views are kept in memory and written every batch
/// that sees their host: a version byte (<see cref="Version"/>), then varints (zigzag for signed numbers) and
/// length-prefixed UTF-8 texts, in the order of <see cref="HostViewDocument"/>. About half the bytes of the JSON
/// document and no intermediate objects to write. Views written before it hold the JSON document, which starts with
/// '{', so the first byte tells the two apart and both are read.
/// </summary>
internal static class HostViewBinary
{
    /// <summary>First byte of the encoding; a JSON document starts with '{' (0x7B).</summary>
    public const byte Version = 1;

    private const byte HasBucket = 1;
    private const byte VolumeAlertedFlag = 2;

    [ThreadStatic]
    private static byte[]? scratch;

    public static bool IsBinary(ReadOnlySpan<byte> stored) => stored.Length > 0 && stored[0] == Version;

    public static byte[] Write(HostImageState view)
    {
        var buffer = scratch ??= new byte[1024];
        var end = WriteInto(view, ref buffer, 0);
        scratch = buffer;
        return buffer.AsSpan(0, end).ToArray();
    }

    /// <summary>
    /// Writes the encoding of <paramref name="view"/> into <paramref name="buffer"/> from <paramref name="start"/> on
    /// (growing it, copied, when too short) and returns where it ends: a batch writes all of an image's views into one
    /// buffer instead of an array each.
    /// </summary>
    public static int WriteInto(HostImageState view, ref byte[] buffer, int start)
    {
        var writer = new Writer(buffer, start);
        writer.Byte(Version);
        writer.Signed(view.FirstSeen);
        writer.Signed(view.LastSeen);
        writer.Signed(view.Observations);
        writer.Byte((byte)((view.Bucket is null ? 0 : HasBucket) | (view.VolumeAlerted ? VolumeAlertedFlag : 0)));
        if (view.Bucket is { } bucket)
        {
            writer.Signed(bucket);
        }

        writer.Signed(view.BucketSent);
        writer.Signed(view.BucketReceived);
        writer.Unsigned(view.History.Bits);
        // Read only when there is some: the tables are made on first use, and most views have none.
        writer.Unsigned(view.HasBucketEvidence ? (ulong)view.BucketEvidence.Count : 0);
        if (view.HasBucketEvidence)
        {
            // Only when there is evidence: enumerating a sorted dictionary allocates even when it is empty.
            foreach (var (evidenceBucket, eventId) in view.BucketEvidence)
            {
                writer.Signed(evidenceBucket);
                writer.Text(eventId);
            }
        }

        writer.Unsigned((ulong)view.Protocols.Count);
        foreach (var (signature, count) in view.Protocols)
        {
            writer.Text(signature);
            writer.Signed(count);
        }

        writer.Unsigned(view.HasSuppressions ? (ulong)view.SuppressedUntil.Count : 0);
        if (view.HasSuppressions)
        {
            foreach (var (signature, until) in view.SuppressedUntil)
            {
                writer.Text(signature);
                writer.Signed(until);
            }
        }

        buffer = writer.Buffer;
        return writer.Position;
    }

    /// <summary>Fills <paramref name="view"/> from <paramref name="stored"/>; throws <see cref="InvalidDataException"/> when it is cut short.</summary>
    public static void Read(ReadOnlySpan<byte> stored, HostImageState view, int window)
    {
        var reader = new Reader(stored[1..]);
        view.FirstSeen = reader.Signed();
        view.LastSeen = reader.Signed();
        view.Observations = reader.Signed();
        var flags = reader.Byte();
        view.Bucket = (flags & HasBucket) != 0 ? reader.Signed() : null;
        view.VolumeAlerted = (flags & VolumeAlertedFlag) != 0;
        view.BucketSent = reader.Signed();
        view.BucketReceived = reader.Signed();
        view.History = new BucketHistory(reader.Unsigned(), window);
        for (var i = reader.Count(); i > 0; i--)
        {
            var bucket = reader.Signed();
            view.BucketEvidence[bucket] = reader.Text();
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            var signature = reader.Text();
            view.Protocols[signature] = reader.Signed();
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            var signature = reader.Text();
            view.SuppressedUntil[signature] = reader.Signed();
        }
    }

    private ref struct Writer(byte[] buffer, int start)
    {
        private int position = start;

        public byte[] Buffer { get; private set; } = buffer;

        public readonly int Position => position;

        public void Byte(byte value)
        {
            Ensure(1);
            Buffer[position++] = value;
        }

        public void Signed(long value) => Unsigned((ulong)((value << 1) ^ (value >> 63)));

        public void Unsigned(ulong value)
        {
            Ensure(10);
            while (value >= 0x80)
            {
                Buffer[position++] = (byte)(value | 0x80);
                value >>= 7;
            }

            Buffer[position++] = (byte)value;
        }

        public void Text(string text)
        {
            var length = Encoding.UTF8.GetByteCount(text);
            Unsigned((ulong)length);
            Ensure(length);
            position += Encoding.UTF8.GetBytes(text, Buffer.AsSpan(position));
        }

        private void Ensure(int bytes)
        {
            if (position + bytes > Buffer.Length)
            {
                var grown = new byte[Math.Max(Buffer.Length * 2, position + bytes)];
                Buffer.AsSpan(0, position).CopyTo(grown);
                Buffer = grown;
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> stored)
    {
        private ReadOnlySpan<byte> rest = stored;

        public byte Byte()
        {
            if (rest.IsEmpty)
            {
                throw Truncated();
            }

            var value = rest[0];
            rest = rest[1..];
            return value;
        }

        public long Signed()
        {
            var value = Unsigned();
            return (long)(value >> 1) ^ -(long)(value & 1);
        }

        public ulong Unsigned()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("Host view: a number is longer than 64 bits.");
        }

        public int Count()
        {
            var count = Unsigned();
            // Every entry takes at least two bytes, so a count beyond what is left is corruption, not a huge view.
            return count <= (ulong)rest.Length ? (int)count : throw Truncated();
        }

        public string Text()
        {
            var length = Count();
            var text = Encoding.UTF8.GetString(rest[..length]);
            rest = rest[length..];
            return text;
        }

        private static InvalidDataException Truncated() => new("Host view: the stored encoding is cut short.");
    }
}
