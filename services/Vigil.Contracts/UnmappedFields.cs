namespace Vigil.Contracts;

/// <summary>
/// The bound on TelemetryEvent.unmapped (see telemetry.proto): source fields the contract has no place for are kept
/// there, but never so many or so large that one document can bloat every downstream copy of the event.
/// </summary>
public static class UnmappedFields
{
    /// <summary>At most this many entries per event; further fields are reported as overflow.</summary>
    public const int MaxEntries = 64;

    /// <summary>At most this many characters in a flattened field name.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>At most this many characters of compact JSON text per value.</summary>
    public const int MaxValueLength = 4096;
}
