namespace Vigil.Messaging;

/// <summary>What a topic is for; code asks the manifest for a role, never hard-codes a name.</summary>
public enum TopicRole
{
    Telemetry,
    Alerts,
    DeadLetter,
}
