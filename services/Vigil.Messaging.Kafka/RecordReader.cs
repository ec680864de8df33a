using System.Text;
using Confluent.Kafka;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// The consume loop's key and value deserializer: decodes straight from librdkafka's buffer, so a record's bytes
/// are never copied into arrays first (the copy, and the array per key and value, cost more than decoding
/// small events). Keys come back as strings shared between records of the same host. Confluent deserializes a
/// record's key and then its value on the consuming thread, so the key bytes seen last belong to the value
/// being decoded: they are kept in a reused buffer and copied out only when that value is undecodable.
/// </summary>
internal sealed class RecordReader<T>(IRecordDecoder<T> decoder) : IDeserializer<string?>, IDeserializer<DecodedValue<T>>
{
    /// <summary>Distinct keys remembered (hosts per consumer); past this the cache starts over, so memory stays bounded.</summary>
    private const int MaxCachedKeys = 1 << 17;

    /// <summary>Longer keys are not cached: host ids are far shorter, and a long key is rare enough to allocate.</summary>
    private const int MaxCachedKeyBytes = 256;

    private readonly Dictionary<string, string> keys = new(StringComparer.Ordinal);

    // Reused, not stackalloc'ed: a stackalloc'ed buffer is zeroed on every call, which cost more than the decoding.
    private readonly char[] keyChars = new char[MaxCachedKeyBytes];
    private byte[] lastKey = new byte[MaxCachedKeyBytes];
    private int lastKeyLength;
    private bool lastKeyNull = true;

    public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        Remember(data, isNull);
        if (isNull)
        {
            return null;
        }

        if (data.Length > MaxCachedKeyBytes)
        {
            return Encoding.UTF8.GetString(data);
        }

        // Invalid UTF-8 becomes U+FFFD here exactly as Encoding.UTF8.GetString would make it.
        var chars = keyChars.AsSpan();
        var length = Encoding.UTF8.GetChars(data, chars);
        var lookup = keys.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars[..length], out var known))
        {
            return known;
        }

        if (keys.Count >= MaxCachedKeys)
        {
            keys.Clear();
        }

        var key = new string(chars[..length]);
        keys[key] = key;
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
            return DecodedValue<T>.Refused(e, lastKeyNull ? null : lastKey.AsSpan(0, lastKeyLength).ToArray(), data.ToArray());
        }
        catch (Exception e)
        {
            // Confluent would turn this into a ConsumeException and the record would be skipped unseen; the loop rethrows it.
            return DecodedValue<T>.Crashed(e);
        }
    }

    private void Remember(ReadOnlySpan<byte> data, bool isNull)
    {
        lastKeyNull = isNull;
        if (data.Length > lastKey.Length)
        {
            lastKey = new byte[Math.Max(data.Length, lastKey.Length * 2)];
        }

        data.CopyTo(lastKey);
        lastKeyLength = data.Length;
    }
}
