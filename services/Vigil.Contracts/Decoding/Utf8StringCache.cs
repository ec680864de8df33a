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
/// slots holding the hash, the value and where its bytes are, and one array holding every value's bytes. A hit
/// reads one slot (its neighbours on collision, mostly in the same cache line) and the bytes it compares, instead of a
/// bucket, an entry and a separate array per value.
/// </remarks>
internal sealed class Utf8StringCache
{
    /// <summary>Slots compared per lookup at most; past that the value is decoded and not added.</summary>
    public const int MaxProbes = 8;

    /// <summary>Twice the values held: the table is at most half full.</summary>
    private const int SlotCount = Utf8Strings.Capacity * 2;

    /// <summary>Per cache, so that which values share a slot cannot be worked out from outside the process.</summary>
    private readonly ulong seed = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) | 1;

    private readonly Slot[] slots = new Slot[SlotCount];

    /// <summary>The values' UTF-8 bytes, one after the other; grows up to <see cref="Utf8Strings.MaxBytesPerCache"/>.</summary>
    private byte[] bytes = new byte[4096];
    private int bytesUsed;

    public int Count { get; private set; }

    public int Bytes => bytesUsed;

    /// <summary>The cached string of <paramref name="utf8"/> (at most <see cref="Utf8Strings.MaxCachedBytes"/> bytes), or null when not cached.</summary>
    public string? Find(ReadOnlySpan<byte> utf8, out int hash, out bool crowded)
    {
        hash = Hash(utf8);
        var index = hash & (SlotCount - 1);
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            ref var slot = ref slots[index];
            if (slot.Value is null)
            {
                crowded = false;
                return null;
            }

            if (slot.Hash == hash && slot.Length == utf8.Length && utf8.SequenceEqual(bytes.AsSpan(slot.Offset, slot.Length)))
            {
                crowded = false;
                return slot.Value;
            }

            index = (index + 1) & (SlotCount - 1);
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

        var index = hash & (SlotCount - 1);
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            ref var slot = ref slots[index];
            if (slot.Value is null)
            {
                if (bytes.Length - bytesUsed < utf8.Length)
                {
                    Array.Resize(ref bytes, Math.Min(Utf8Strings.MaxBytesPerCache, Math.Max(bytes.Length * 2, bytesUsed + utf8.Length)));
                }

                utf8.CopyTo(bytes.AsSpan(bytesUsed));
                slot = new Slot(hash, bytesUsed, utf8.Length, value);
                bytesUsed += utf8.Length;
                Count++;
                return;
            }

            index = (index + 1) & (SlotCount - 1);
        }
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

    private readonly record struct Slot(int Hash, int Offset, int Length, string? Value);
}
