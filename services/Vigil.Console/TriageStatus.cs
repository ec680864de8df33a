namespace Vigil.Console;

/// <summary>Where an alert is in triage; stored as these strings in Redis and shown as they read.</summary>
public static class TriageStatus
{
    public const string New = "new";
    public const string Acknowledged = "acknowledged";
    public const string TruePositive = "closed-true-positive";
    public const string FalsePositive = "closed-false-positive";

    public static IReadOnlyList<string> All { get; } = [New, Acknowledged, TruePositive, FalsePositive];

    public static bool IsClosed(string status) => status is TruePositive or FalsePositive;
}
