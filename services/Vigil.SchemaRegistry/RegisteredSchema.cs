namespace Vigil.SchemaRegistry;

/// <summary>A schema registered under a subject: its global id and its version within the subject.</summary>
public sealed record RegisteredSchema(string Subject, int Id, int Version, SchemaDefinition Definition);
