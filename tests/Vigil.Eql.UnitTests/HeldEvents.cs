using Google.Protobuf;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;

namespace Vigil.Eql.UnitTests;

/// <summary>What the tests of events held as their encoding share: the codec that holds them, the wipe, the match text.</summary>
internal static class HeldEvents
{
    /// <summary>Clears every field, as a reused event object would be overwritten after its batch.</summary>
    public static void Wipe(TelemetryEvent e)
    {
        foreach (var field in TelemetryEvent.Descriptor.Fields.InFieldNumberOrder())
        {
            field.Accessor.Clear(e);
        }
    }

    /// <summary>A match as text, its evidence included byte for byte.</summary>
    public static string Describe(SequenceMatch<TelemetryEvent> m) =>
        $"{m.HostId} {m.Key} {string.Join(",", m.EventIds)} {m.FirstTimestamp}-{m.LastTimestamp} {string.Join(",", m.Events.Select(e => e.ToByteString().ToBase64()))}";

    /// <summary>Holds every event as its encoding, as the correlator's codec does for a selectively decoded event.</summary>
    public sealed class HoldEverything : IEventCodec<TelemetryEvent>
    {
        public byte[] Encode(TelemetryEvent document) => document.ToByteArray();

        public TelemetryEvent Decode(ReadOnlySpan<byte> bytes) => TelemetryEvent.Parser.ParseFrom(bytes);

        public int HeldEncodingLength(TelemetryEvent document) => document.CalculateSize();

        public void WriteHeldEncoding(TelemetryEvent document, Span<byte> destination) => document.WriteTo(destination);
    }
}
