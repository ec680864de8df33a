namespace Vigil.FleetSim;

/// <summary>How a scenario entered the run: by the configured schedule or by an on-demand request.</summary>
public enum ScenarioOrigin
{
    Scheduled,
    OnDemand,
}
