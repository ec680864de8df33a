namespace Vigil.SchemaRegistry;

/// <summary>
/// An import of a registered schema: <paramref name="Name"/> is the import path as written in the .proto
/// file, resolved to <paramref name="Version"/> of <paramref name="Subject"/>.
/// </summary>
public sealed record SchemaReference(string Name, string Subject, int Version);
