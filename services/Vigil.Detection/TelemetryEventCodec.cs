using Google.Protobuf;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;

namespace Vigil.Detection;

/// <summary>
/// The encoding of telemetry events in sequence state. A selectively decoded (partial) event is valid only for its
/// batch and holds only the fields the rules read: its encoding is the payload it was parsed from, which is held in
/// state instead of the event completed whole (a fifth of the memory, and no re-encoding for the store). Decoding gives
/// the whole event, equal field for field to the completed one.
/// </summary>
public sealed class TelemetryEventCodec : IEventCodec<TelemetryEvent>
{
    public static TelemetryEventCodec Instance { get; } = new();

    public byte[] Encode(TelemetryEvent document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.CopyPayload() ?? document.ToByteArray();
    }

    public TelemetryEvent Decode(ReadOnlySpan<byte> bytes) => TelemetryEvent.Parser.ParseFrom(bytes);

    /// <summary>A partial event's payload length; -1 for a whole event, which may be held as it is.</summary>
    public int HeldEncodingLength(TelemetryEvent document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.PartialPayloadLength;
    }

    public void WriteHeldEncoding(TelemetryEvent document, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.CopyPayloadTo(destination);
    }
}
