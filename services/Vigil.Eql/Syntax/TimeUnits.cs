namespace Vigil.Eql.Syntax;

/// <summary>The time units Elasticsearch accepts in a maxspan (nanos, micros, ms, s, m, h, d).</summary>
internal static class TimeUnits
{
    public const string Expected = "ms, s, m, h or d";

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
