using Vigil.Baseline.Alerts;

namespace Vigil.Baseline.Learning;

/// <summary>What evaluating a batch produced: alerts to publish first, then host updates to write.</summary>
/// <param name="Replayed">Observations skipped because their host's view already included them (a replay after a crash).</param>
/// <param name="Untrained">Observations kept out of learning because they alerted or were anomalous.</param>
/// <param name="Suppressed">Alerts not raised again: the same new protocol within the suppression window.</param>
public sealed record BatchEvaluation(
    IReadOnlyList<HostUpdate> Updates,
    IReadOnlyList<BaselineDetection> Detections,
    int Replayed,
    int Untrained,
    int Suppressed);
