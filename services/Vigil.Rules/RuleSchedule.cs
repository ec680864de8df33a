using Vigil.Eql.Syntax;

namespace Vigil.Rules;

/// <summary>
/// When Elastic would run a rule and how far back each run looks, parsed once at load: <c>interval</c> ("5m") and
/// <c>from</c> ("now-6m", date math relative to the run), with Elastic's defaults. <see cref="LookBack"/> is the span one
/// scheduled run searches (interval plus the additional look-back); Vigil uses it as the window of threshold rules and
/// as the bound of sequences without maxspan. <see cref="MaxSignals"/> is Elastic's cap on alerts per run, which
/// Vigil applies per rule and per <see cref="Interval"/> of event time when the rule sets it (null when it does not:
/// Elastic's default of 100 bounds the work of one scheduled search, which a stream does not have, and capping by
/// default would drop real detections in a busy interval).
/// </summary>
public sealed record RuleSchedule(TimeSpan Interval, TimeSpan LookBack, int? MaxSignals)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan DefaultLookBack = TimeSpan.FromMinutes(6);

    /// <summary>Elastic's default max_signals, for reference; Vigil does not cap a rule that does not set it.</summary>
    public const int ElasticDefaultMaxSignals = 100;

    public static RuleSchedule Default { get; } = new(DefaultInterval, DefaultLookBack, null);

    /// <summary>The time units Elastic's rule schedules use.</summary>
    public const string Expected = "s, m, h or d";

    /// <summary>Parses an interval such as "5m" (a whole number and one of s, m, h, d).</summary>
    public static bool TryParseInterval(string text, out TimeSpan span)
    {
        span = default;
        var trimmed = text.Trim();
        return trimmed.Length > 1 && trimmed[^1] is 's' or 'm' or 'h' or 'd' && TimeUnits.TryParse(trimmed, out span) && span > TimeSpan.Zero;
    }

    /// <summary>Parses <c>from</c> / <c>history_window_start</c> date math "now-6m" into the span it reaches back.</summary>
    public static bool TryParseNowMinus(string text, out TimeSpan span)
    {
        span = default;
        var trimmed = text.Trim();
        return trimmed.StartsWith("now-", StringComparison.Ordinal) && TryParseInterval(trimmed[4..], out span);
    }
}
