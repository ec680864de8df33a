namespace Vigil.SchemaRegistry;

/// <summary>Subject names as Confluent's serializers derive them by default.</summary>
public static class SubjectNames
{
    /// <summary>TopicNameStrategy for record values: <c>&lt;topic&gt;-value</c>.</summary>
    public static string TopicValue(string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        return topic + "-value";
    }

    /// <summary>Subject of an imported .proto file: its import path (Confluent's ReferenceSubjectNameStrategy default).</summary>
    public static string Reference(string importPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(importPath);
        return importPath;
    }
}
