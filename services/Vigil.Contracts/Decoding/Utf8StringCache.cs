using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// One field's strings, keyed by their UTF-8 bytes: a value seen before is found by hashing and comparing its bytes,
/// without transcoding it to UTF-16 first (the transcoding and the UTF-16 hash were most of a cached string's cost).
/// Bytes found here are valid UTF-8, as every value was decoded strictly when it was added. Holds at most
/// <see cref="Utf8Strings.Capacity"/> values and <see cref="Utf8Strings.MaxBytesPerCache"/> bytes and starts over when full; a lookup compares at most
/// <see cref="MaxProbes"/> slots, so values made to collide cost a decode each, never a long walk.
/// </summary>
/// <remarks>
/// Laid out for few cache misses, since most of a lookup's time was waiting for memory: an open-addressed table of
/// 16-byte slots holding the hash, the value and where its bytes are, and one array holding every value's bytes. A hit
/// reads one slot (its neighbours on collision, mostly in the same cache line) and the bytes it compares, instead of a
/// bucket, an entry and a separate array per value. The table starts small and doubles as values come, so a field
/// with a few dozen values (categories, actions, OS names) keeps its table in a few cache lines rather than a
/// 100-plus KB one that the records handled in between evict from the core's caches.
/// </remarks>
internal sealed class Utf8StringCache
{
    /// <summary>Slots compared per lookup at most; past that the value is decoded and not added.</summary>
    public const int MaxProbes = 8;

    /// <summary>Twice the values held at most: the table is kept at most half full.</summary>
    private const int MaxSlotCount = Utf8Strings.Capacity * 2;

    private const int InitialSlotCount = 32;

    /// <summary>Bits of <see cref="Slot.Place"/> that hold a value's length (up to <see cref="Utf8Strings.MaxCachedBytes"/>); the offset is above them.</summary>
    private const int LengthBits = 10;
    private const int LengthMask = (1 << LengthBits) - 1;

    /// <summary>Per cache, so that which values share a slot cannot be worked out from outside the process.</summary>
    private readonly ulong seed = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) | 1;

    private Slot[] slots = new Slot[InitialSlotCount];

    /// <summary>The values' UTF-8 bytes, one after the other; grows up to <see cref="Utf8Strings.MaxBytesPerCache"/>.</summary>
    private byte[] bytes = new byte[4096];
    private int bytesUsed;

    public int Count { get; private set; }

    public int Bytes => bytesUsed;

    /// <summary>The cached string of <paramref name="utf8"/> (at most <see cref="Utf8Strings.MaxCachedBytes"/> bytes), or null when not cached.</summary>
    public string? Find(ReadOnlySpan<byte> utf8, out int hash, out bool crowded)
    {
        hash = Hash(utf8);
        var table = slots;
        var mask = table.Length - 1;
        var index = hash & mask;
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            ref var slot = ref table[index];
            if (slot.Value is null)
            {
                crowded = false;
                return null;
            }

            if (slot.Hash == hash && (slot.Place & LengthMask) == utf8.Length && utf8.SequenceEqual(bytes.AsSpan(slot.Place >> LengthBits, utf8.Length)))
            {
                crowded = false;
                return slot.Value;
            }

            index = (index + 1) & mask;
        }

        crowded = true;
        return null;
    }

    /// <summary>Adds <paramref name="value"/>, whose UTF-8 bytes are <paramref name="utf8"/> and hash <paramref name="hash"/> (from <see cref="Find"/>).</summary>
    public void Add(ReadOnlySpan<byte> utf8, int hash, string value)
    {
        if (Count >= Utf8Strings.Capacity || bytesUsed + utf8.Length > Utf8Strings.MaxBytesPerCache)
        {
            Array.Clear(slots);
            bytesUsed = 0;
            Count = 0;
        }
        else if ((Count + 1) * 2 > slots.Length && slots.Length < MaxSlotCount)
        {
            Grow();
        }

        if (Place(slots, new Slot(hash, bytesUsed << LengthBits | utf8.Length, value)))
        {
            if (bytes.Length - bytesUsed < utf8.Length)
            {
                Array.Resize(ref bytes, Math.Min(Utf8Strings.MaxBytesPerCache, Math.Max(bytes.Length * 2, bytesUsed + utf8.Length)));
            }

            utf8.CopyTo(bytes.AsSpan(bytesUsed));
            bytesUsed += utf8.Length;
            Count++;
        }
    }

    /// <summary>Doubles the table; a value that finds no free slot within <see cref="MaxProbes"/> of its own is dropped (decoded again when next seen).</summary>
    private void Grow()
    {
        var grown = new Slot[slots.Length * 2];
        var kept = 0;
        foreach (var slot in slots)
        {
            if (slot.Value is not null && Place(grown, slot))
            {
                kept++;
            }
        }

        slots = grown;
        Count = kept;
    }

    /// <summary>Puts <paramref name="slot"/> in the first free slot of its probe sequence in <paramref name="table"/>; false when there is none within <see cref="MaxProbes"/>.</summary>
    private static bool Place(Slot[] table, Slot slot)
    {
        var mask = table.Length - 1;
        var index = slot.Hash & mask;
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            ref var free = ref table[index];
            if (free.Value is null)
            {
                free = slot;
                return true;
            }

            index = (index + 1) & mask;
        }

        return false;
    }

    /// <summary>A seeded multiply-xor hash over 8 bytes at a time (values are short: paths, names, ids).</summary>
    private int Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var h = seed ^ ((ulong)bytes.Length * Multiplier);
        while (bytes.Length >= 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * Multiplier;
            h ^= h >> 32;
            bytes = bytes[8..];
        }

        if (bytes.Length > 0)
        {
            ulong tail = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                tail |= (ulong)bytes[i] << (8 * i);
            }

            h = (h ^ tail) * Multiplier;
        }

        h ^= h >> 29;
        h *= Multiplier;
        return (int)(h ^ (h >> 32));
    }

    /// <summary>A value, its hash, and its bytes' offset and length packed in <paramref name="Place"/> (offsets stay below 2^19, lengths below 2^10): 16 bytes, four slots per cache line.</summary>
    private readonly record struct Slot(int Hash, int Place, string? Value);
}
