using Vigil.Contracts.Alerts;

namespace Vigil.Baseline.Alerts;

/// <summary>The baseline's two rules as alerts describe them, and how the process chain raises their severity.</summary>
public static class BaselineRules
{
    public const string AnalyticId = "AN1227";
    public const string NewProtocolId = "vigil-an1227-new-protocol";
    public const string VolumeId = "vigil-an1227-volume";

    public static Rule NewProtocol(bool automationDriven) => Describe(
        NewProtocolId,
        "Process image uses a protocol never seen for it",
        "A process image with a mature network profile used a transport, application protocol or port class it was never seen using across the fleet.",
        automationDriven);

    public static Rule Volume(bool automationDriven) => Describe(
        VolumeId,
        "Process image moves far more traffic than its baseline",
        "A process image's traffic volume on a host stayed far above its learned fleet-wide spread (k of n time buckets), or went so far above it in one bucket that no benign variance explains it.",
        automationDriven);

    // Automator or osascript driving curl, Python or a raw socket is the behaviour AN1227 names: more urgent.
    private static Rule Describe(string id, string name, string description, bool automationDriven) => new()
    {
        Id = id,
        Name = name,
        AnalyticId = AnalyticId,
        Version = 1,
        Severity = automationDriven ? "high" : "medium",
        RiskScore = automationDriven ? 73 : 47,
        Description = automationDriven ? description + " Automator or osascript drives the process." : description,
    };
}
