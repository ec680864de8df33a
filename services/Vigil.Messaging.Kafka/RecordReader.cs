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
/// </summary>
internal sealed class RecordReader<T>(IRecordDecoder<T> decoder) : IDeserializer<string?>, IDeserializer<DecodedValue<T>>
{
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

    /// <summary>The batch decoded so far was handled: a decoder that reuses memory between batches may do so now.</summary>
    public void ReleaseBatch() => (decoder as IBatchScopedDecoder)?.ReleaseBatch();

    DecodedValue<T> IDeserializer<DecodedValue<T>>.Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        try
        {
            // A null value decodes as an empty one, which the decoder refuses with its own reason.
            return DecodedValue<T>.Decoded(decoder.Decode(data));
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
