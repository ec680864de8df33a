using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>A catalog scenario with the script that plays it and the hosts it can play on.</summary>
internal sealed record ScenarioPlay(ScenarioDefinition Definition, ActivityScript Script, Func<HostProfile, bool> Eligible);
