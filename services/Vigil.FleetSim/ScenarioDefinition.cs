namespace Vigil.FleetSim;

/// <summary>A kind of scenario the simulator can inject: its name, the analytic it exercises, its label and what it does.</summary>
public sealed record ScenarioDefinition(string Name, string AnalyticId, ScenarioLabel Label, string Description);
