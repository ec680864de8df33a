namespace Vigil.SchemaRegistry;

/// <summary>A schema as the registry stores it: its text, its type and the registered schemas it imports.</summary>
public sealed record SchemaDefinition(string Schema, string SchemaType, IReadOnlyList<SchemaReference> References)
{
    /// <summary>The registry's name for protobuf schemas.</summary>
    public const string ProtobufType = "PROTOBUF";

    /// <summary>A .proto file's text with the references its imports resolve to.</summary>
    public static SchemaDefinition Protobuf(string schema, IReadOnlyList<SchemaReference>? references = null) =>
        new(schema, ProtobufType, references ?? []);
}
