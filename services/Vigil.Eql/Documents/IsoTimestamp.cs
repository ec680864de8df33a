using System.Globalization;

namespace Vigil.Eql.Documents;

/// <summary>Parses ISO-8601 timestamps to epoch nanoseconds, keeping all nine fractional digits (DateTimeOffset keeps seven).</summary>
public static class IsoTimestamp
{
    public static bool TryParseNanoseconds(string text, out long nanoseconds)
    {
        nanoseconds = 0;
        var fractionNanos = 0L;
        var withoutFraction = text;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var timeStart = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (dot > timeStart && timeStart >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            var digits = text[(dot + 1)..end];
            if (digits.Length == 0)
            {
                return false;
            }

            var scaled = digits.Length >= 9 ? digits[..9] : digits.PadRight(9, '0');
            fractionNanos = long.Parse(scaled, CultureInfo.InvariantCulture);
            withoutFraction = text[..dot] + text[end..];
        }

        if (!DateTimeOffset.TryParse(withoutFraction, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        nanoseconds = ((parsed.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100) + fractionNanos;
        return true;
    }

    /// <summary>Formats epoch nanoseconds as an ISO-8601 UTC timestamp with nine fractional digits.</summary>
    public static string Format(long nanoseconds)
    {
        var seconds = Math.DivRem(nanoseconds, 1_000_000_000L, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += 1_000_000_000L;
        }

        var whole = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return whole.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + remainder.ToString("D9", CultureInfo.InvariantCulture) + "Z";
    }
}
