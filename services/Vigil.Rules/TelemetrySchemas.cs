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
}
