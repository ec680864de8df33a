using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Vigil.Messaging;

namespace Vigil.SchemaRegistry;

/// <summary>
/// Encodes and decodes <typeparamref name="T"/> record values in Confluent's protobuf framing
/// (<see cref="ConfluentProtobufFrame"/>), so Schema Registry-aware Kafka tooling can read what Vigil writes.
/// </summary>
public sealed class ProtobufRecordCodec<T> : IRecordEncoder<T>, IRecordDecoder<T>
    where T : IMessage<T>, new()
{
    private static readonly MessageParser<T> Parser = new(() => new T());

    private readonly int? schemaId;
    private readonly IReadOnlySet<int>? acceptedSchemaIds;

    /// <param name="schemaId">
    /// Id written into encoded frames (see <see cref="SchemaIdResolver"/>); null for a codec that only decodes.
    /// </param>
    /// <param name="acceptedSchemaIds">
    /// Schema ids a decoded frame may carry; null accepts any id (the path and payload are still checked).
    /// </param>
    public ProtobufRecordCodec(int? schemaId, IReadOnlySet<int>? acceptedSchemaIds = null)
    {
        this.schemaId = schemaId;
        this.acceptedSchemaIds = acceptedSchemaIds;
        Descriptor = new T().Descriptor;
        MessageIndexes = MessageIndexPath.Of(Descriptor);
    }

    /// <summary>The id written into encoded frames, or null when this codec only decodes.</summary>
    public int? SchemaId => schemaId;

    public MessageDescriptor Descriptor { get; }

    /// <summary>The path of <typeparamref name="T"/> in its .proto file, written into every frame.</summary>
    public MessageIndexPath MessageIndexes { get; }

    public byte[] Encode(T message) => ConfluentProtobufFrame.Write(RequireSchemaId(), MessageIndexes, message);

    /// <summary>Encodes into <paramref name="destination"/>, e.g. a pooled buffer reused across records.</summary>
    public void Encode(T message, IBufferWriter<byte> destination) =>
        ConfluentProtobufFrame.Write(destination, RequireSchemaId(), MessageIndexes, message);

    /// <summary>
    /// Decodes a framed <typeparamref name="T"/>; throws <see cref="InvalidFrameException"/> with a
    /// <see cref="FrameRejectionReason"/> code when the value is not one.
    /// </summary>
    public T Decode(ReadOnlySpan<byte> value)
    {
        var payload = Unframe(value, out var frameSchemaId);
        try
        {
            return Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw InvalidPayload(frameSchemaId, e);
        }
    }

    /// <summary>The payload of a framed <typeparamref name="T"/>, after the frame's schema id and message path were checked.</summary>
    internal ReadOnlySpan<byte> Unframe(ReadOnlySpan<byte> value, out int frameSchemaId)
    {
        var frame = ConfluentProtobufFrame.Read(value);
        frameSchemaId = frame.SchemaId;
        if (acceptedSchemaIds is not null && !acceptedSchemaIds.Contains(frame.SchemaId))
        {
            throw new InvalidFrameException(
                FrameRejectionReason.UnknownSchemaId,
                $"Schema id {frame.SchemaId} is not one this reader of {Descriptor.FullName} accepts ({string.Join(", ", acceptedSchemaIds.Order())}).",
                frame.SchemaId);
        }

        if (!frame.HasMessageIndexes(MessageIndexes))
        {
            throw UnexpectedMessage(frame.MessageIndexes, frame.SchemaId);
        }

        return frame.Payload;
    }

    internal InvalidFrameException InvalidPayload(int frameSchemaId, InvalidProtocolBufferException e) =>
        new(
            FrameRejectionReason.InvalidPayload,
            $"The payload of schema id {frameSchemaId} is not a valid {Descriptor.FullName}: {e.Message}",
            frameSchemaId,
            e);

    private InvalidFrameException UnexpectedMessage(MessageIndexPath path, int frameSchemaId)
    {
        var named = path.Resolve(Descriptor.File);
        var message = named is null
            ? $"Message-index path {path} names no message in {Descriptor.File.Name}; expected {Descriptor.FullName} at {MessageIndexes}."
            : $"Message-index path {path} names {named.FullName}; expected {Descriptor.FullName} at {MessageIndexes}.";
        return new InvalidFrameException(FrameRejectionReason.UnknownMessageIndex, message, frameSchemaId);
    }

    private int RequireSchemaId() =>
        schemaId ?? throw new InvalidOperationException(
            $"This codec for {Descriptor.FullName} was created without a schema id and can only decode.");
}
