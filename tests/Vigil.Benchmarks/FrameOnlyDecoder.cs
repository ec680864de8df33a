using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.SchemaRegistry;

namespace Vigil.Benchmarks;

/// <summary>Checks a record's frame but parses no protobuf: with it, the consume loop's own cost shows apart from decoding.</summary>
internal sealed class FrameOnlyDecoder : IRecordDecoder<TelemetryEvent>
{
    private static readonly TelemetryEvent Empty = new();

    public TelemetryEvent Decode(ReadOnlySpan<byte> value)
    {
        _ = ConfluentProtobufFrame.Read(value).Payload.Length;
        return Empty;
    }
}
