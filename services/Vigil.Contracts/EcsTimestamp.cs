using System.Globalization;

namespace Vigil.Contracts;

/// <summary>Converts contract times (nanoseconds since the Unix epoch, UTC) to and from ISO-8601 text as ECS dates use it.</summary>
public static class EcsTimestamp
{
    private const long NanosPerSecond = 1_000_000_000;
    private const long NanosPerTick = 100;

    private static readonly string[] WholeSecondFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd' 'HH:mm:ssK",
        "yyyy-MM-dd' 'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd",
    ];

    /// <summary>
    /// Formats as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, widening the fraction to 6 or 9 digits only when the
    /// value has sub-millisecond precision, so millisecond data reads as Elasticsearch writes it.
    /// </summary>
    public static string Format(long unixNanos)
    {
        var seconds = Math.DivRem(unixNanos, NanosPerSecond, out var fraction);
        if (fraction < 0)
        {
            fraction += NanosPerSecond;
            seconds--;
        }

        var whole = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime
            .ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var digits = fraction % 1_000_000 == 0 ? (fraction / 1_000_000).ToString("D3", CultureInfo.InvariantCulture)
            : fraction % 1_000 == 0 ? (fraction / 1_000).ToString("D6", CultureInfo.InvariantCulture)
            : fraction.ToString("D9", CultureInfo.InvariantCulture);
        return $"{whole}.{digits}Z";
    }

    /// <summary>Formats a <see cref="DateTimeOffset"/> the same way (100 ns precision).</summary>
    public static string Format(DateTimeOffset time) => Format(ToUnixNanos(time));

    /// <summary>Nanoseconds since the Unix epoch of <paramref name="time"/>.</summary>
    public static long ToUnixNanos(DateTimeOffset time) =>
        (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * NanosPerTick;

    /// <summary>The <see cref="DateTimeOffset"/> of a contract time (truncated to 100 ns).</summary>
    public static DateTimeOffset FromUnixNanos(long unixNanos) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + Math.DivRem(unixNanos, NanosPerTick).Quotient, TimeSpan.Zero);

    /// <summary>
    /// Parses ISO-8601 date-time text with up to nine fractional digits and a <c>Z</c> or <c>±hh:mm</c>
    /// offset (text without an offset is UTC). Returns false when the text is not such a time.
    /// </summary>
    public static bool TryParse(string text, out long unixNanos)
    {
        unixNanos = 0;
        var fractionStart = text.IndexOf('.', StringComparison.Ordinal);
        long fractionNanos = 0;
        var wholeText = text;
        if (fractionStart >= 0)
        {
            var end = fractionStart + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            var digits = end - fractionStart - 1;
            if (digits is 0 or > 9)
            {
                return false;
            }

            fractionNanos = long.Parse(text.AsSpan(fractionStart + 1, digits), NumberStyles.None, CultureInfo.InvariantCulture);
            for (var i = digits; i < 9; i++)
            {
                fractionNanos *= 10;
            }

            wholeText = string.Concat(text.AsSpan(0, fractionStart), text.AsSpan(end));
        }

        if (!DateTimeOffset.TryParseExact(wholeText, WholeSecondFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var whole))
        {
            return false;
        }

        unixNanos = ToUnixNanos(whole) + fractionNanos;
        return true;
    }
}
