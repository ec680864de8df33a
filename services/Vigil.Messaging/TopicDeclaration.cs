namespace Vigil.Messaging;

/// <summary>One topic as the manifest declares it.</summary>
public sealed record TopicDeclaration(
    TopicRole Role,
    string Name,
    int Partitions,
    short ReplicationFactor,
    string Key,
    string ValueMessage,
    IReadOnlyDictionary<string, string> Config);
