using Vigil.Contracts.Alerts;

namespace Vigil.Console;

/// <summary>The dimensions alerts are indexed by (one Redis sorted set per dimension value, scored by detection time).</summary>
public static class AlertIndex
{
    public const string Analytic = "analytic";
    public const string Rule = "rule";
    public const string Severity = "severity";
    public const string Host = "host";
    public const string User = "user";
    public const string Status = "status";

    /// <summary>The fixed dimensions of an alert (status changes with triage, so it is kept apart).</summary>
    public static IEnumerable<(string Dimension, string Value)> Of(Alert alert)
    {
        var values = new List<(string, string?)>
        {
            (Analytic, alert.Rule?.AnalyticId),
            (Rule, alert.Rule?.Id),
            (Severity, alert.Rule?.Severity),
            (Host, alert.Host?.Id),
            (Host, alert.Host?.Name),
            (User, alert.User?.Name),
        };
        return values
            .Select(v => (v.Item1, AlertFilter.Normalise(v.Item2)))
            .Where(v => v.Item2 is not null)
            .Select(v => (v.Item1, v.Item2!))
            .Distinct();
    }
}
