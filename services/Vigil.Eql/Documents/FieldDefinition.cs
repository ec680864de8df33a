using Google.Protobuf.Reflection;

namespace Vigil.Eql.Documents;

/// <summary>
/// A field of the event schema resolved from an ECS path. <see cref="Path"/> is the canonical ECS spelling
/// (e.g. "process.Ext.effective_parent.executable", "@timestamp"); <see cref="Chain"/> is the protobuf field at each level.
/// </summary>
public sealed record FieldDefinition(string Path, EqlFieldType Type, bool IsMultiValued, IReadOnlyList<FieldDescriptor> Chain);
