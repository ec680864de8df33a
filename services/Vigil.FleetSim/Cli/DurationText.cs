using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigil.FleetSim.Cli;

/// <summary>Parses durations as operators write them: "250ms", "30s", "10m", "2h", "1d", combined ("1h30m"), or "hh:mm:ss".</summary>
internal static partial class DurationText
{
    public static TimeSpan Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed == "0")
        {
            return TimeSpan.Zero;
        }

        if (trimmed.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var clock))
        {
            return clock;
        }

        var parts = Part().Matches(trimmed);
        if (parts.Count == 0 || string.Concat(parts.Select(m => m.Value)) != trimmed)
        {
            throw new FormatException($"'{text}' is not a duration (use e.g. 250ms, 30s, 10m, 2h, 1h30m).");
        }

        var total = TimeSpan.Zero;
        foreach (Match part in parts)
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        return total;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)")]
    private static partial Regex Part();
}
