using System.Text.RegularExpressions;
using Vigil.Eql.Syntax;

namespace Vigil.Rules;

/// <summary>
/// When Elastic runs a rule and how far back each run searches: <c>interval</c> (how often; default 5m) and <c>from</c>
/// (date math such as <c>now-6m</c>; default <c>now-6m</c>, i.e. the interval plus one minute of additional look-back).
/// Every run searches from <c>from</c> to now, so no match Elastic reports can span more than <see cref="LookBack"/>:
/// that is the bound Vigil gives a sequence without maxspan (and a sample).
/// </summary>
public sealed partial record RuleSchedule(TimeSpan Interval, TimeSpan LookBack)
{
    public static TimeSpan DefaultInterval { get; } = TimeSpan.FromMinutes(5);

    public static TimeSpan DefaultLookBack { get; } = TimeSpan.FromMinutes(6);

    /// <summary>Elastic's defaults: every 5 minutes over the last 6.</summary>
    public static RuleSchedule Default { get; } = new(DefaultInterval, DefaultLookBack);

    /// <summary>
    /// Reads <c>from</c> as Elastic writes it: <c>now-&lt;n&gt;&lt;unit&gt;</c> with unit s, m, h or d (date math; a rounding
    /// suffix such as <c>/d</c> is not used by rules and is rejected). Returns the look-back, or null with a reason.
    /// </summary>
    public static TimeSpan? ParseFrom(string text, out string? problem)
    {
        problem = null;
        var match = FromPattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].ValueSpan, out var amount)
            || TimeUnits.ToTimeSpan(amount, match.Groups[2].Value) is not { } span || span <= TimeSpan.Zero)
        {
            problem = $"'from' \"{text}\" is not date math of the form now-<number><unit> (unit s, m, h or d), as in \"now-9m\"";
            return null;
        }

        return span;
    }

    /// <summary>Reads <c>interval</c> ("5m"): a whole number and a unit s, m, h or d.</summary>
    public static TimeSpan? ParseInterval(string text, out string? problem)
    {
        problem = null;
        if (TimeUnits.TryParse(text, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        problem = $"'interval' \"{text}\" is not a duration, as in \"5m\"";
        return null;
    }

    [GeneratedRegex(@"^now-([0-9]+)(s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex FromPattern();
}
