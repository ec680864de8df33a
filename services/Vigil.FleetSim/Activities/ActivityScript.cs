using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.Activities;

/// <summary>
/// A realistic sequence of endpoint events, written as an iterator that moves the context's clock between
/// events; the simulator pulls one event at a time, so an activity costs memory only while it runs.
/// </summary>
internal delegate IEnumerable<TelemetryEvent> ActivityScript(ActivityContext context);
