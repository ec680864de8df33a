namespace Vigil.Baseline.Learning;

/// <summary>What a network event tells a profile.</summary>
public enum ObservationKind
{
    /// <summary>A connection started (network/start): a protocol and a destination.</summary>
    Connection,

    /// <summary>A DNS lookup (network/protocol/lookup_requested): the dns protocol.</summary>
    Lookup,

    /// <summary>A connection ended (network/end): its byte counts.</summary>
    Completion,
}
