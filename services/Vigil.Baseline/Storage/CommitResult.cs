namespace Vigil.Baseline.Storage;

/// <summary>What writing a batch did: host updates refused by their watermark check, and profiles that matured.</summary>
public sealed record CommitResult(int Conflicts, int Matured);
