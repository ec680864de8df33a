using System.Text;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// Turns a string field's UTF-8 bytes into a string, strictly (invalid UTF-8 abandons the selective parse, as
/// Google.Protobuf rejects it), sharing the strings of low-cardinality fields: each such field has a cache keyed by the
/// value's UTF-8 bytes (<see cref="Utf8StringCache"/>), so a value seen before costs no allocation and no transcoding.
/// A cache holds at most <see cref="Capacity"/> values of at most <see cref="MaxCachedBytes"/> bytes, and at most
/// <see cref="MaxBytesPerCache"/> bytes of them in all, and starts over when full, so a stream of ever-new values
/// (hostile or not) cannot grow memory: per cached field at most 512 KB of bytes, as many UTF-16 characters, and a
/// table of 8,192 slots, about 1.9 MB.
/// </summary>
internal sealed class Utf8Strings
{
    public const int Capacity = 4096;
    /// <summary>
    /// Longest value cached: macOS executables and paths often pass 128 bytes (two thirds of the simulated events' process
    /// executables did), and an uncached value costs a decode and a string per event.
    /// </summary>
    public const int MaxCachedBytes = 512;

    /// <summary>Bytes of values one cache holds at most (what 4,096 values of 128 bytes took before longer ones were cached).</summary>
    public const int MaxBytesPerCache = Capacity * 128;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Utf8StringCache[] caches;

    public Utf8Strings(int cachedFields)
    {
        caches = new Utf8StringCache[cachedFields];
        for (var i = 0; i < cachedFields; i++)
        {
            caches[i] = new Utf8StringCache();
        }
    }

    /// <summary>The string of <paramref name="utf8"/>, from cache <paramref name="cache"/> when it is at least 0.</summary>
    public string Get(ReadOnlySpan<byte> utf8, int cache)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (cache < 0 || utf8.Length > MaxCachedBytes)
        {
            return Decode(utf8);
        }

        // Found by its bytes: valid UTF-8, as each cached value was decoded strictly when it was added.
        var values = caches[cache];
        if (values.Find(utf8, out var hash, out var crowded) is { } known)
        {
            return known;
        }

        var value = Decode(utf8);
        if (!crowded)
        {
            values.Add(utf8, hash, value);
        }

        return value;
    }

    /// <summary>How many values cache <paramref name="cache"/> holds.</summary>
    public int Count(int cache) => caches[cache].Count;

    /// <summary>How many bytes of values cache <paramref name="cache"/> holds.</summary>
    public int Bytes(int cache) => caches[cache].Bytes;

    /// <summary>Throws <see cref="SelectiveParseAbandoned"/> unless <paramref name="utf8"/> is valid UTF-8 (for a skipped string field).</summary>
    public static void Validate(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw SelectiveParseAbandoned.Instance;
        }
    }

    private static string Decode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return Strict.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw SelectiveParseAbandoned.Instance;
        }
    }
}
