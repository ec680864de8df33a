using Google.Protobuf;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.SchemaRegistry;

/// <summary>
/// Decodes framed <see cref="TelemetryEvent"/>s as <see cref="ProtobufRecordCodec{T}"/> does (same frame checks, same
/// rejections and reasons), but parses only the fields of its <see cref="FieldSelection"/>: the fields the service's
/// rules and handler read. Events come back partial (<see cref="TelemetryEvent.IsPartial"/>); the handler completes
/// those it outputs (<see cref="TelemetryEvent.Complete"/>) and completes or detaches (<see cref="TelemetryEvent.Detach"/>)
/// those it keeps, before its batch is released: the others are reused for later records.
/// </summary>
public sealed class SelectiveTelemetryCodec : IBatchScopedDecoder<TelemetryEvent>
{
    private readonly ProtobufRecordCodec<TelemetryEvent> frames;
    private readonly SelectiveTelemetryParser parser;
    private readonly IReadOnlySet<int>? acceptedSchemaIds;

    /// <param name="acceptedSchemaIds">Schema ids a frame may carry; null accepts any id.</param>
    public SelectiveTelemetryCodec(FieldSelection selection, IReadOnlySet<int>? acceptedSchemaIds = null)
    {
        this.acceptedSchemaIds = acceptedSchemaIds;
        frames = new ProtobufRecordCodec<TelemetryEvent>(schemaId: null, acceptedSchemaIds);
        parser = new SelectiveTelemetryParser(selection);
    }

    public FieldSelection Selection => parser.Selection;

    public TelemetryEvent Decode(ReadOnlySpan<byte> value)
    {
        var payload = frames.Unframe(value, out var schemaId);
        try
        {
            return parser.Parse(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw frames.InvalidPayload(schemaId, e);
        }
    }

    public void ReleaseBatch() => parser.ReleasePayloads();

    /// <summary>The same selection with pools and payloads of its own (the compiled plans are shared per process).</summary>
    public IRecordDecoder<TelemetryEvent> CreateSibling() => new SelectiveTelemetryCodec(parser.Selection, acceptedSchemaIds);
}
