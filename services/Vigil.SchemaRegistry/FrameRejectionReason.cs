namespace Vigil.SchemaRegistry;

/// <summary>The <see cref="Messaging.RecordDecodeException.Reason"/> codes a framed protobuf record can be rejected with.</summary>
public static class FrameRejectionReason
{
    /// <summary>Byte 0 is not the Confluent magic byte 0x00.</summary>
    public const string BadMagicByte = "bad-magic-byte";

    /// <summary>The value ends before the header does (schema id, or a varint of the message-index path).</summary>
    public const string TruncatedFrame = "truncated-frame";

    /// <summary>A varint of the message-index path is longer than 5 bytes or overflows 32 bits.</summary>
    public const string MalformedVarint = "malformed-varint";

    /// <summary>The message-index path names no message of the expected .proto file, or a different message than expected.</summary>
    public const string UnknownMessageIndex = "unknown-message-index";

    /// <summary>The protobuf payload after the header does not parse as the expected message.</summary>
    public const string InvalidPayload = "invalid-payload";

    /// <summary>The frame names a schema id the reader was configured not to accept.</summary>
    public const string UnknownSchemaId = "unknown-schema-id";
}
