using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim;

/// <summary>The scenarios fleet-sim can inject, each an attack or a legitimate look-alike for one analytic.</summary>
public static class ScenarioCatalog
{
    /// <summary>Every scenario, grouped by analytic, malicious before benign.</summary>
    public static IReadOnlyList<ScenarioDefinition> All { get; } = ScenarioPlaybook.Plays.Select(p => p.Definition).ToArray();

    /// <summary>The analytics scenarios exercise: AN0167, AN0994, AN0425, AN1227, installer-network.</summary>
    public static IReadOnlyList<string> AnalyticIds => ScenarioPlaybook.AnalyticIds;

    /// <summary>The scenario with this name (case-insensitive), or null.</summary>
    public static ScenarioDefinition? Find(string name) => ScenarioPlaybook.Find(name)?.Definition;
}
