namespace Vigil.Messaging;

/// <summary>A record value that cannot be decoded; <see cref="Reason"/> is a short machine-readable code.</summary>
public class RecordDecodeException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Short code naming the failure (e.g. bad-magic-byte, truncated-frame), carried in dead-letter headers.</summary>
    public string Reason { get; } = reason;
}
