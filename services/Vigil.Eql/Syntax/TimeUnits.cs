namespace Vigil.Eql.Syntax;

/// <summary>
/// Time values as Elasticsearch writes them ("30s", "1500ms", "15m"): a whole number and a unit among nanos, micros,
/// ms, s, m, h, d. Used for maxspan and for durations in rule files, so both accept the same spellings.
/// </summary>
public static class TimeUnits
{
    public const string Expected = "ms, s, m, h or d";

    /// <summary>Parses "30s"-style text; false when the number or the unit is missing or unknown.</summary>
    public static bool TryParse(string text, out TimeSpan span)
    {
        span = default;
        var trimmed = text.Trim();
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(trimmed.AsSpan(0, digits), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount)
            || ToTimeSpan(amount, trimmed[digits..].Trim()) is not { } parsed)
        {
            return false;
        }

        span = parsed;
        return true;
    }

    public static TimeSpan? ToTimeSpan(long amount, string unit)
    {
        // Overflow is reported as "no such span" by the caller rather than wrapping silently.
        try
        {
            return unit switch
            {
                "nanos" => TimeSpan.FromTicks(checked(amount / 100)),
                "micros" => TimeSpan.FromTicks(checked(amount * 10)),
                "ms" => TimeSpan.FromTicks(checked(amount * TimeSpan.TicksPerMillisecond)),
                "s" => TimeSpan.FromTicks(checked(amount * TimeSpan.TicksPerSecond)),
                "m" => TimeSpan.FromTicks(checked(amount * TimeSpan.TicksPerMinute)),
                "h" => TimeSpan.FromTicks(checked(amount * TimeSpan.TicksPerHour)),
                "d" => TimeSpan.FromTicks(checked(amount * TimeSpan.TicksPerDay)),
                _ => null,
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    public static bool IsUnit(string text) => text is "nanos" or "micros" or "ms" or "s" or "m" or "h" or "d";
}
