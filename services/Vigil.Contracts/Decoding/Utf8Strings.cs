using System.Buffers;
using System.Text;

namespace Vigil.Contracts.Decoding;

/// <summary>
/// Turns a string field's UTF-8 bytes into a string, strictly (invalid UTF-8 abandons the selective parse, as
/// Google.Protobuf rejects it), sharing the strings of low-cardinality fields: each such field has a cache keyed by the
/// value's text, so a value seen before costs no allocation. A cache holds at most <see cref="Capacity"/> values of at
/// most <see cref="MaxCachedBytes"/> bytes and starts over when full, so a stream of ever-new values (hostile or not)
/// cannot grow memory: per cached field at most 4,096 strings of at most 128 characters, about 1.3 MB.
/// </summary>
internal sealed class Utf8Strings
{
    public const int Capacity = 4096;
    public const int MaxCachedBytes = 128;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, string>[] caches;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>>[] lookups;

    // Reused: one decoding buffer per parsing thread (this object is per thread).
    private readonly char[] chars = new char[MaxCachedBytes];

    public Utf8Strings(int cachedFields)
    {
        caches = new Dictionary<string, string>[cachedFields];
        lookups = new Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>>[cachedFields];
        for (var i = 0; i < cachedFields; i++)
        {
            caches[i] = new Dictionary<string, string>(StringComparer.Ordinal);
            lookups[i] = caches[i].GetAlternateLookup<ReadOnlySpan<char>>();
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

        if (System.Text.Unicode.Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            throw SelectiveParseAbandoned.Instance;
        }

        var text = chars.AsSpan(0, written);
        if (lookups[cache].TryGetValue(text, out var known))
        {
            return known;
        }

        var values = caches[cache];
        if (values.Count >= Capacity)
        {
            values.Clear();
        }

        var value = new string(text);
        values[value] = value;
        return value;
    }

    /// <summary>How many values cache <paramref name="cache"/> holds.</summary>
    public int Count(int cache) => caches[cache].Count;

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
