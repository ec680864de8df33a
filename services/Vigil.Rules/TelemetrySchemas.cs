using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;

namespace Vigil.Rules;

/// <summary>
/// The Vigil telemetry contract (TelemetryEvent) as EQL event schemas: protobuf for streaming, JSON for offline files.
/// It lives here, where rules are compiled and checked against the contract, so the EQL engine itself knows no contract.
/// </summary>
public static class TelemetrySchemas
{
    // The contract stores these int64 fields as epoch nanoseconds, with 0 meaning absent (see telemetry.proto).
    private static readonly string[] TimeFieldNames = ["timestamp", "ingested", "created", "start", "end", "mtime", "ctime", "accessed"];

    public static FieldCatalog Fields { get; } = FieldCatalog.FromMessage(TelemetryEvent.Descriptor, TimeFieldNames);

    public static ProtobufEventSchema<TelemetryEvent> Protobuf { get; } = new(Fields);

    public static JsonEventSchema Json { get; } = new(Fields);

    /// <summary>
    /// The fields the rules compiled in this process so far read (through <see cref="Protobuf"/>'s accessors), plus
    /// <paramref name="alsoRead"/> (protobuf field paths a service reads itself): what a selective decoder must parse for
    /// them. Call it after the rules are loaded.
    /// </summary>
    public static FieldSelection FieldsRead(params IEnumerable<string> alsoRead) =>
        FieldSelection.Of(TelemetryEvent.Descriptor, Protobuf.FieldsRead.Select(f => f.Chain))
            .Union(FieldSelection.Of(TelemetryEvent.Descriptor, alsoRead));
}
