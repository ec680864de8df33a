namespace Vigil.Baseline.Learning;

/// <summary>An analyst's verdict that a protocol is normal for an image: when (wall clock, ns), why and by whom.</summary>
public sealed record ProtocolAcceptance(long At, string Reason, string By);
