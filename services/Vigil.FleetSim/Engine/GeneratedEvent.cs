using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim.Engine;

/// <summary>An event as the timeline produced it, with the host it belongs to and the scenario (if any) it is part of.</summary>
internal readonly record struct GeneratedEvent(TelemetryEvent Event, int HostIndex, ScenarioTrace? Trace);
