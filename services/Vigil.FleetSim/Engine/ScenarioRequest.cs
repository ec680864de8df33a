using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim.Engine;

/// <summary>An on-demand injection waiting for the timeline to start it, on a host already chosen.</summary>
internal sealed record ScenarioRequest(string ScenarioId, long Serial, ScenarioPlay Play, int HostIndex);
