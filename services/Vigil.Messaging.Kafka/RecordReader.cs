using System.Text;
using Confluent.Kafka;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// The consume loop's key and value deserializer: decodes straight from librdkafka's buffer, so a record's bytes
/// are never copied into arrays first (the copy, and the array per key and value, cost more than decoding
/// small events). Keys come back as strings shared between records of the same host, found by their bytes (no
/// transcoding to UTF-16 per record). Confluent deserializes a record's key and then its value on the consuming
/// thread, so the key seen last belongs to the value being decoded: its bytes (the cache's own copy, or a copy of an
/// uncached key) are copied out only when that value is undecodable.
/// A batch-scoped decoder that can make a sibling (<see cref="IBatchScopedDecoder{T}"/>) gives two generations: the
/// loop decodes one batch with one while the previous batch, decoded by the other, is handled, and releases each only
/// once its own batch was handled.
/// </summary>
internal sealed class RecordReader<T>(IRecordDecoder<T> decoder) : IDeserializer<string?>, IDeserializer<DecodedValue<T>>
{
    private readonly IRecordDecoder<T>[] decoders = decoder is IBatchScopedDecoder<T> scoped ? [decoder, scoped.CreateSibling()] : [decoder];
    private int current;

    /// <summary>Distinct keys remembered (hosts per consumer); past this the cache starts over, so memory stays bounded.</summary>
    private const int MaxCachedKeys = 1 << 17;

    /// <summary>Longer keys are not cached: host ids are far shorter, and a long key is rare enough to allocate.</summary>
    private const int MaxCachedKeyBytes = 256;

    private readonly Dictionary<byte[], string> keys = new(KeyBytesComparer.Instance);

    /// <summary>The last key's bytes (null for a null key): the cached array itself, or a copy of a key too long to cache.</summary>
    private byte[]? lastKey;

    public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            lastKey = null;
            return null;
        }

        if (data.Length > MaxCachedKeyBytes)
        {
            lastKey = data.ToArray();
            return Encoding.UTF8.GetString(data);
        }

        var lookup = keys.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(data, out var bytes, out var known))
        {
            lastKey = bytes;
            return known;
        }

        if (keys.Count >= MaxCachedKeys)
        {
            keys.Clear();
        }

        // Invalid UTF-8 becomes U+FFFD, as Encoding.UTF8.GetString makes it for every key.
        var key = Encoding.UTF8.GetString(data);
        lastKey = data.ToArray();
        keys[lastKey] = key;
        return key;
    }

    /// <summary>
    /// Whether a batch may be decoded while the one before it is handled: the decoder reuses no memory between batches,
    /// or it made a sibling, so the two batches' values never share memory.
    /// </summary>
    public bool CanOverlap => decoder is not IBatchScopedDecoder || decoders.Length == 2;

    /// <summary>The decoder generation records are decoded with now.</summary>
    public int Generation => current;

    /// <summary>Decodes what comes next with the other generation (the one whose batch was released last).</summary>
    public void NextGeneration() => current = (current + 1) % decoders.Length;

    /// <summary>The batch of <paramref name="generation"/> was handled: a decoder that reuses memory between batches may do so now.</summary>
    public void ReleaseBatch(int generation) => (decoders[generation] as IBatchScopedDecoder)?.ReleaseBatch();

    DecodedValue<T> IDeserializer<DecodedValue<T>>.Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        try
        {
            // A null value decodes as an empty one, which the decoder refuses with its own reason.
            return DecodedValue<T>.Decoded(decoders[current].Decode(data));
        }
        catch (RecordDecodeException e)
        {
            return DecodedValue<T>.Refused(e, lastKey?.ToArray(), data.ToArray());
        }
        catch (Exception e)
        {
            // Confluent would turn this into a ConsumeException and the record would be skipped unseen; the loop rethrows it.
            return DecodedValue<T>.Crashed(e);
        }
    }
}
