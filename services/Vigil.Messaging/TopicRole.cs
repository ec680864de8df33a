namespace Vigil.Messaging;

/// <summary>What a topic is for; code asks the manifest for a role, never hard-codes a name.</summary>
public enum TopicRole
{
    Telemetry,
    Alerts,
    DeadLetter,

    /// <summary>An agent's own format (Elastic Agent's Kafka output, eslogger lines); many may be declared, each with its <c>format</c>.</summary>
    Raw,
}
