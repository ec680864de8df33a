using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Vigil.Baseline.Storage;

/// <summary>
/// Reads the names and numbers of a profile hash without a string per field: every batch reads the profile of each
/// image it touches whole, and the names repeat (fixed fields, and one pair per protocol), so a name is decoded into
/// a canonical string once and numbers are parsed from Redis's bytes. Parsing follows long.TryParse/double.TryParse
/// with the invariant culture, as reading the text did.
/// </summary>
internal static class HashFields
{
    // Bounded: field names are the fixed ones plus a few per protocol signature; past the cap they are decoded each time.
    private const int MaxNames = 16_384;
    private const int MaxStackName = 256;
    private static readonly ConcurrentDictionary<string, string> Names = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> NamesBySpan = Names.GetAlternateLookup<ReadOnlySpan<char>>();
    private static int count;

    /// <summary>The field's name, as one shared string per distinct name.</summary>
    public static string Name(RedisValue name)
    {
        ReadOnlyMemory<byte> utf8 = name;
        if (utf8.Length > MaxStackName)
        {
            return name.ToString();
        }

        Span<char> chars = stackalloc char[MaxStackName];
        if (!Encoding.UTF8.TryGetChars(utf8.Span, chars, out var written))
        {
            return name.ToString();
        }

        if (NamesBySpan.TryGetValue(chars[..written], out var known))
        {
            return known;
        }

        var text = new string(chars[..written]);
        if (Volatile.Read(ref count) < MaxNames && Names.TryAdd(text, text))
        {
            Interlocked.Increment(ref count);
        }

        return text;
    }

    public static bool TryLong(RedisValue value, out long number)
    {
        if (value.IsNull)
        {
            number = 0;
            return false;
        }

        if (value.IsInteger)
        {
            number = (long)value;
            return true;
        }

        return long.TryParse(((ReadOnlyMemory<byte>)value).Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out number);
    }

    public static bool TryDouble(RedisValue value, out double number)
    {
        if (value.IsNull)
        {
            number = 0;
            return false;
        }

        return double.TryParse(((ReadOnlyMemory<byte>)value).Span, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }
}
