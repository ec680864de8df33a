using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// One field's strings, keyed by their UTF-8 bytes: a value seen before is found by hashing and comparing its bytes,
/// without transcoding it to UTF-16 first (the transcoding and the UTF-16 hash were most of a cached string's cost).
/// Bytes found here are valid UTF-8, as every value was decoded strictly when it was added. Holds at most
/// <see cref="Utf8Strings.Capacity"/> values and starts over when full; a lookup compares at most
/// <see cref="MaxProbes"/> entries of its bucket, so values made to collide cost a decode each, never a long walk.
/// </summary>
internal sealed class Utf8StringCache
{
    /// <summary>Entries compared per lookup at most; past that the value is decoded and not added.</summary>
    public const int MaxProbes = 8;

    private const int BucketCount = Utf8Strings.Capacity * 2;

    /// <summary>Per cache, so that which values share a bucket cannot be worked out from outside the process.</summary>
    private readonly ulong seed = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) | 1;

    /// <summary>Index + 1 of the first entry of each bucket (0: empty).</summary>
    private readonly int[] buckets = new int[BucketCount];
    private readonly Entry[] entries = new Entry[Utf8Strings.Capacity];

    public int Count { get; private set; }

    /// <summary>The cached string of <paramref name="utf8"/> (at most <see cref="Utf8Strings.MaxCachedBytes"/> bytes), or null when not cached.</summary>
    public string? Find(ReadOnlySpan<byte> utf8, out int hash, out bool crowded)
    {
        hash = Hash(utf8);
        var probes = 0;
        for (var i = buckets[hash & (BucketCount - 1)] - 1; i >= 0; i = entries[i].Next)
        {
            ref var entry = ref entries[i];
            if (entry.Hash == hash && utf8.SequenceEqual(entry.Utf8))
            {
                crowded = false;
                return entry.Value;
            }

            if (++probes >= MaxProbes)
            {
                crowded = true;
                return null;
            }
        }

        crowded = false;
        return null;
    }

    /// <summary>Adds <paramref name="value"/>, whose UTF-8 bytes are <paramref name="utf8"/> and hash <paramref name="hash"/> (from <see cref="Find"/>).</summary>
    public void Add(ReadOnlySpan<byte> utf8, int hash, string value)
    {
        if (Count >= entries.Length)
        {
            Array.Clear(buckets);
            Array.Clear(entries);
            Count = 0;
        }

        ref var bucket = ref buckets[hash & (BucketCount - 1)];
        entries[Count] = new Entry(utf8.ToArray(), value, hash, bucket - 1);
        bucket = ++Count;
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

    private readonly record struct Entry(byte[] Utf8, string Value, int Hash, int Next);
}
