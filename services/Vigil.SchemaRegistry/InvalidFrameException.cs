using Vigil.Messaging;

namespace Vigil.SchemaRegistry;

/// <summary>
/// A record value that is not a valid Confluent-framed protobuf message of the expected type;
/// <see cref="RecordDecodeException.Reason"/> is one of <see cref="FrameRejectionReason"/>.
/// </summary>
public sealed class InvalidFrameException(string reason, string message, int? schemaId = null, Exception? inner = null)
    : RecordDecodeException(reason, message, inner)
{
    /// <summary>The schema id the frame carried, when the frame was long enough to hold one.</summary>
    public int? SchemaId { get; } = schemaId;
}
