namespace Vigil.Messaging;

/// <summary>One topic as the manifest declares it; <paramref name="Format"/> names the source format of a raw topic (e.g. elastic, eslogger).</summary>
public sealed record TopicDeclaration(
    TopicRole Role,
    string Name,
    int Partitions,
    short ReplicationFactor,
    string Key,
    string ValueMessage,
    IReadOnlyDictionary<string, string> Config,
    string? Format = null);
