namespace Vigil.FleetSim;

/// <summary>
/// The shape simulated telemetry leaves in: canonical (TelemetryEvent protobuf to the telemetry topic, ECS JSON lines
/// to a file) or an agent's own format (to that format's raw topic, for vigil-ingest; its JSON lines to a file).
/// </summary>
public enum TelemetryEmitFormat
{
    Canonical,

    /// <summary>Elastic Defend events as Elastic Agent's Kafka output writes them.</summary>
    Elastic,

    /// <summary>
    /// Apple Endpoint Security messages as eslogger prints them. Endpoint Security has no network, DNS or script-load
    /// events: to Kafka those go to the telemetry topic as canonical events (as vigil-agent's network source sends
    /// them); to a file they are left out.
    /// </summary>
    Eslogger,
}
