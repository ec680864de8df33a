namespace Vigil.Baseline.Learning;

/// <summary>How often a protocol signature was seen, and when first (event time, ns).</summary>
public readonly record struct ProtocolCount(long Count, long FirstSeen);
