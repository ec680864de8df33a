namespace Vigil.Adapters;

/// <summary>Why a raw document produced no canonical event. The name (kebab-cased) is the dead-letter reason and a metric label.</summary>
public enum RejectionReason
{
    /// <summary>The bytes are not valid UTF-8 JSON (or not the format's framing).</summary>
    Malformed,

    /// <summary>Valid JSON, but not a document of this format (e.g. not an object, an unknown message shape).</summary>
    NotADocument,

    /// <summary>No usable @timestamp (or event time).</summary>
    MissingTimestamp,

    /// <summary>No host id, even after the format's fall-backs (agent.id, the record key).</summary>
    MissingHost,

    /// <summary>No event category and no way to derive one.</summary>
    MissingCategory,

    /// <summary>A value that the contract holds could not be coerced to the contract's type.</summary>
    InvalidValue,

    /// <summary>An event type the adapter knows it cannot map (and says so rather than guessing).</summary>
    UnsupportedEvent,
}
