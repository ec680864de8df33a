using System.Buffers;
using Google.Protobuf;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.SchemaRegistry.UnitTests.Fixtures;
using static Vigil.SchemaRegistry.UnitTests.ConfluentProtobufFrameTests;

namespace Vigil.SchemaRegistry.UnitTests;

public sealed class ProtobufRecordCodecTests
{
    [Fact]
    public void ATelemetryEventSurvivesEncodingAndDecoding()
    {
        var codec = new ProtobufRecordCodec<TelemetryEvent>(schemaId: 11);
        var original = ContractSamples.CurlExec();

        var decoded = codec.Decode(codec.Encode(original));

        Assert.Equal(original, decoded);
    }

    [Fact]
    public void AnAlertWithEmbeddedEvidenceSurvivesEncodingAndDecoding()
    {
        var codec = new ProtobufRecordCodec<Alert>(schemaId: 12);
        var original = ContractSamples.CurlAlert();

        var decoded = codec.Decode(codec.Encode(original));

        Assert.Equal(original, decoded);
        Assert.Equal("/usr/bin/curl", decoded.Evidence[0].Event.Process.Executable);
    }

    [Fact]
    public void AnEncodedTelemetryEventIsTheHeaderForPathZeroFollowedByThePlainProtobufBytes()
    {
        var codec = new ProtobufRecordCodec<TelemetryEvent>(schemaId: 0x0A0B0C0D);
        var message = ContractSamples.CurlExec();

        var value = codec.Encode(message);

        Assert.Equal([.. Hex("00 0A0B0C0D 00"), .. message.ToByteArray()], value);
    }

    [Fact]
    public void ANestedMessageTypeIsEncodedWithItsPathFromTheDescriptor()
    {
        var codec = new ProtobufRecordCodec<Outer.Types.Inner>(schemaId: 1);

        var value = codec.Encode(new Outer.Types.Inner { Value = "x" });

        Assert.Equal(new MessageIndexPath([1, 0]), codec.MessageIndexes);
        Assert.Equal(Hex("00 00000001 04 02 00 0A0178"), value);
        Assert.Equal("x", codec.Decode(value).Value);
    }

    [Fact]
    public void EncodingIntoABufferWriterMatchesEncodingToAnArray()
    {
        var codec = new ProtobufRecordCodec<Alert>(schemaId: 3);
        var alert = ContractSamples.CurlAlert();
        var buffer = new ArrayBufferWriter<byte>();

        codec.Encode(alert, buffer);

        Assert.Equal(codec.Encode(alert), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void ACodecWithoutASchemaIdDecodesButRefusesToEncode()
    {
        var writer = new ProtobufRecordCodec<TelemetryEvent>(schemaId: 5);
        var reader = new ProtobufRecordCodec<TelemetryEvent>(schemaId: null);

        Assert.Equal("evt-0001", reader.Decode(writer.Encode(ContractSamples.CurlExec())).Event.Id);
        Assert.Throws<InvalidOperationException>(() => reader.Encode(ContractSamples.CurlExec()));
    }

    [Fact]
    public void ReaderRejectsAFrameWithABadMagicByte()
    {
        var codec = new ProtobufRecordCodec<TelemetryEvent>(schemaId: 1);
        var value = codec.Encode(ContractSamples.CurlExec());
        value[0] = 0x01;

        AssertRejected(codec, value, FrameRejectionReason.BadMagicByte);
    }

    [Fact]
    public void ReaderRejectsAFrameTooShortToHoldASchemaId()
    {
        AssertRejected(new ProtobufRecordCodec<TelemetryEvent>(1), Hex("00 0000"), FrameRejectionReason.TruncatedFrame);
    }

    [Fact]
    public void ReaderRejectsAFrameWhoseIndexVarintRunsPastTheEnd()
    {
        AssertRejected(new ProtobufRecordCodec<TelemetryEvent>(1), Hex("00 00000001 02 81"), FrameRejectionReason.TruncatedFrame);
    }

    [Fact]
    public void ReaderRejectsAMalformedIndexVarint()
    {
        AssertRejected(new ProtobufRecordCodec<TelemetryEvent>(1), Hex("00 00000001 80 80 80 80 80 00"), FrameRejectionReason.MalformedVarint);
    }

    [Fact]
    public void ReaderRejectsAPathThatNamesNoMessageOfTheExpectedFile()
    {
        var codec = new ProtobufRecordCodec<Alert>(1);
        var value = Frame(1, new MessageIndexPath([99]), ContractSamples.CurlAlert());

        var e = AssertRejected(codec, value, FrameRejectionReason.UnknownMessageIndex);

        Assert.Contains("vigil/alerts/v1/alert.proto", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReaderRejectsAPathThatNamesAnotherMessageOfTheSameFile()
    {
        var codec = new ProtobufRecordCodec<Alert>(1);
        // The path a Confluent writer of Rule would frame: its place among alert.proto's top-level messages, read from
        // the file descriptor so adding messages to the file does not move the test onto another one.
        var ruleIndex = Alert.Descriptor.File.MessageTypes.ToList().FindIndex(m => m.FullName == Rule.Descriptor.FullName);
        Assert.True(ruleIndex > 0, "Rule is a top-level message of alert.proto other than Alert");
        var value = Frame(1, new MessageIndexPath([ruleIndex]), new Rule { Id = "an0167" });

        var e = AssertRejected(codec, value, FrameRejectionReason.UnknownMessageIndex);

        Assert.Contains("vigil.alerts.v1.Rule", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReaderRejectsAPayloadThatIsNotAProtobufMessage()
    {
        // Field 1 (length-delimited) claims 5 bytes; one follows.
        var e = AssertRejected(new ProtobufRecordCodec<TelemetryEvent>(1), Hex("00 00000001 00 0A0541"), FrameRejectionReason.InvalidPayload);

        Assert.IsType<InvalidProtocolBufferException>(e.InnerException);
    }

    [Fact]
    public void ReaderConfiguredWithSchemaIdsRejectsAnyOtherId()
    {
        var writer = new ProtobufRecordCodec<TelemetryEvent>(schemaId: 8);
        var reader = new ProtobufRecordCodec<TelemetryEvent>(schemaId: null, acceptedSchemaIds: new HashSet<int> { 7 });

        var e = AssertRejected(reader, writer.Encode(ContractSamples.CurlExec()), FrameRejectionReason.UnknownSchemaId);

        Assert.Equal(8, e.SchemaId);
    }

    [Fact]
    public void ReaderConfiguredWithSchemaIdsAcceptsEachOfThem()
    {
        var reader = new ProtobufRecordCodec<TelemetryEvent>(schemaId: null, acceptedSchemaIds: new HashSet<int> { 7, 8 });

        foreach (var id in new[] { 7, 8 })
        {
            var value = new ProtobufRecordCodec<TelemetryEvent>(id).Encode(ContractSamples.CurlExec());
            Assert.Equal("curl", reader.Decode(value).Process.Name);
        }
    }

    [Fact]
    public void ReaderWithoutConfiguredSchemaIdsAcceptsAnyId()
    {
        var value = new ProtobufRecordCodec<TelemetryEvent>(123_456).Encode(ContractSamples.CurlExec());

        Assert.Equal("curl", new ProtobufRecordCodec<TelemetryEvent>(1).Decode(value).Process.Name);
    }

    private static byte[] Frame(int schemaId, MessageIndexPath path, IMessage message) =>
        ConfluentProtobufFrame.Write(schemaId, path, message);

    private static InvalidFrameException AssertRejected<T>(ProtobufRecordCodec<T> codec, byte[] value, string reason)
        where T : IMessage<T>, new()
    {
        var e = Assert.Throws<InvalidFrameException>(() => codec.Decode(value));
        Assert.Equal(reason, e.Reason);
        return e;
    }
}
