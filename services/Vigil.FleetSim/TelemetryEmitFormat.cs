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
}
