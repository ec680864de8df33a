using System.Buffers;
using Vigil.SchemaRegistry.UnitTests.Fixtures;

namespace Vigil.SchemaRegistry.UnitTests;

public sealed class ConfluentProtobufFrameTests
{
    [Fact]
    public void SchemaIdOneWithTheFirstMessageIsFramedAsMagicByteBigEndianIdAndOneZeroByte()
    {
        var message = new FirstMessage { Name = "a" };

        var frame = ConfluentProtobufFrame.Write(1, MessageIndexPath.First, message);

        Assert.Equal(Hex("00 00000001 00 0A0161"), frame);
    }

    [Fact]
    public void SchemaIdIsWrittenBigEndianAndASecondTopLevelMessageAsCountOneIndexOne()
    {
        var message = new Outer { Inner = new Outer.Types.Inner { Value = "x" } };

        var frame = ConfluentProtobufFrame.Write(0x01020304, MessageIndexPath.Of(Outer.Descriptor), message);

        Assert.Equal(Hex("00 01020304 02 02 0A030A0178"), frame);
    }

    [Fact]
    public void ANestedMessageIsFramedWithItsFullPathAsZigzagVarints()
    {
        var message = new Outer.Types.Inner { Value = "x" };

        var frame = ConfluentProtobufFrame.Write(1, MessageIndexPath.Of(Outer.Types.Inner.Descriptor), message);

        // count 2 -> zigzag 4; index 1 -> 2; index 0 -> 0.
        Assert.Equal(Hex("00 00000001 04 02 00 0A0178"), frame);
    }

    [Fact]
    public void ADeeplyNestedMessageIsFramedWithEveryLevelOfItsPath()
    {
        var message = new Outer.Types.Sibling.Types.Deep { Depth = 5 };

        var frame = ConfluentProtobufFrame.Write(1, MessageIndexPath.Of(Outer.Types.Sibling.Types.Deep.Descriptor), message);

        Assert.Equal(Hex("00 00000001 06 02 02 00 0805"), frame);
    }

    [Fact]
    public void TheFrameFromConfluentsOwnSchemaIdTestReadsAsIdOneAndPathOneTwoThreeAndWritesBackIdentically()
    {
        // confluent-kafka-python tests/schema_registry/test_schema_id.py, test_schema_id_with_message_indexes.
        var confluent = Hex("00 00000001 06 02 04 06");

        var frame = ConfluentProtobufFrame.Read(confluent);
        var header = new byte[ConfluentProtobufFrame.HeaderLength(frame.MessageIndexes)];
        ConfluentProtobufFrame.WriteHeader(header, frame.SchemaId, frame.MessageIndexes);

        Assert.Equal(1, frame.SchemaId);
        Assert.Equal([1, 2, 3], frame.MessageIndexes.Indexes);
        Assert.True(frame.Payload.IsEmpty);
        Assert.Equal(confluent, header);
    }

    [Theory]
    // confluent-kafka-python tests/schema_registry/test_proto.py, test_index_encoder (index bytes after the count).
    [InlineData(1, "02")]
    [InlineData(127, "FE01")]
    [InlineData(128, "8002")]
    public void IndexesAreEncodedAsConfluentsOwnTestsExpect(int index, string expectedIndexHex)
    {
        var path = new MessageIndexPath([index]);
        var header = new byte[ConfluentProtobufFrame.HeaderLength(path)];

        ConfluentProtobufFrame.WriteHeader(header, 1, path);

        Assert.Equal(Hex("00 00000001 02 " + expectedIndexHex), header);
        Assert.Equal(path, ConfluentProtobufFrame.Read(header).MessageIndexes);
    }

    [Fact]
    public void ReadingReturnsTheSchemaIdPathAndPayloadAsViewsIntoTheValue()
    {
        var value = Hex("00 7FFFFFFF 04 02 00 0A0178");

        var frame = ConfluentProtobufFrame.Read(value);

        Assert.Equal(int.MaxValue, frame.SchemaId);
        Assert.Equal(new MessageIndexPath([1, 0]), frame.MessageIndexes);
        Assert.Equal(Hex("0A0178"), frame.Payload.ToArray());
        Assert.True(frame.Payload.Overlaps(value));
        Assert.Equal(Outer.Types.Inner.Descriptor, frame.MessageIndexes.Resolve(Outer.Descriptor.File));
    }

    [Theory]
    [InlineData("00")]
    [InlineData("02 00")]
    public void ACountOfZeroAndAnUnoptimizedPathOfZeroBothReadAsTheFirstMessage(string indexHex)
    {
        var frame = ConfluentProtobufFrame.Read(Hex("00 00000001 " + indexHex + " 0A0161"));

        Assert.Same(MessageIndexPath.First, frame.MessageIndexes);
        Assert.True(frame.HasMessageIndexes(MessageIndexPath.First));
        Assert.False(frame.HasMessageIndexes(new MessageIndexPath([0, 0])));
        Assert.Equal("a", FirstMessage.Parser.ParseFrom(frame.Payload).Name);
    }

    [Fact]
    public void WritingIntoABufferWriterProducesTheSameBytesAsWritingAnArray()
    {
        var message = new Outer.Types.Inner { Value = "buffered" };
        var path = MessageIndexPath.Of(Outer.Types.Inner.Descriptor);
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(Hex("FFFF"));

        ConfluentProtobufFrame.Write(buffer, 42, path, message);

        Assert.Equal([.. Hex("FFFF"), .. ConfluentProtobufFrame.Write(42, path, message)], buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void ReadingAFrameOfTheFirstMessageAllocatesNothing()
    {
        var value = Hex("00 00000001 00 0A0161");
        _ = Sum(value);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = Sum(value);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1 + 3, sum);

        static int Sum(byte[] value)
        {
            var frame = ConfluentProtobufFrame.Read(value);
            return frame.SchemaId + (frame.HasMessageIndexes(MessageIndexPath.First) ? frame.Payload.Length : -1);
        }
    }

    [Fact]
    public void WritingAFrameAllocatesOnlyTheFrameItself()
    {
        var message = new FirstMessage { Name = new string('n', 100) };
        _ = ConfluentProtobufFrame.Write(1, MessageIndexPath.First, message);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var frame = ConfluentProtobufFrame.Write(1, MessageIndexPath.First, message);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // One byte[]: its elements plus the array object header.
        Assert.InRange(allocated, frame.Length, frame.Length + 32);
    }

    [Theory]
    [InlineData("", FrameRejectionReason.TruncatedFrame)]
    [InlineData("01 00000001 00 0A0161", FrameRejectionReason.BadMagicByte)]
    [InlineData("7B 22 69 64 22 3A 31 7D", FrameRejectionReason.BadMagicByte)]
    [InlineData("00 000000", FrameRejectionReason.TruncatedFrame)]
    [InlineData("00 00000001", FrameRejectionReason.TruncatedFrame)]
    [InlineData("00 00000001 04 02", FrameRejectionReason.TruncatedFrame)]
    [InlineData("00 00000001 02 80", FrameRejectionReason.TruncatedFrame)]
    [InlineData("00 00000001 80 80", FrameRejectionReason.TruncatedFrame)]
    [InlineData("00 00000001 FF FF FF FF FF 01", FrameRejectionReason.MalformedVarint)]
    [InlineData("00 00000001 02 FF FF FF FF 1F", FrameRejectionReason.MalformedVarint)]
    [InlineData("00 00000001 01 00", FrameRejectionReason.UnknownMessageIndex)]
    [InlineData("00 00000001 02 01", FrameRejectionReason.UnknownMessageIndex)]
    public void ReaderRejectsAMalformedHeaderWithItsReasonCode(string hex, string reason)
    {
        var value = Hex(hex);

        var e = Assert.Throws<InvalidFrameException>(() => ConfluentProtobufFrame.Read(value));

        Assert.Equal(reason, e.Reason);
        Assert.IsAssignableFrom<Messaging.RecordDecodeException>(e);
    }

    [Fact]
    public void ARejectionAfterTheSchemaIdCarriesTheSchemaId()
    {
        var e = Assert.Throws<InvalidFrameException>(() => ConfluentProtobufFrame.Read(Hex("00 00000309 04 02")));

        Assert.Equal(0x309, e.SchemaId);
    }

    [Fact]
    public void APathResolvesToTheMessageAtThatPositionOrToNothing()
    {
        var file = Outer.Descriptor.File;

        Assert.Equal(FirstMessage.Descriptor, MessageIndexPath.First.Resolve(file));
        Assert.Equal(Outer.Types.Sibling.Types.Deep.Descriptor, new MessageIndexPath([1, 1, 0]).Resolve(file));
        Assert.Null(new MessageIndexPath([2]).Resolve(file));
        Assert.Null(new MessageIndexPath([0, 0]).Resolve(file));
    }

    internal static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
