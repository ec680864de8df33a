namespace Vigil.Baseline.Learning;

/// <summary>Why a host's bucket of an image's traffic counts as anomalous: which direction, how far out, against what.</summary>
/// <param name="Direction">"sent" or "received", from the host's side.</param>
/// <param name="BucketBytes">What the image moved in that direction in the current bucket so far.</param>
/// <param name="ZScore">Standard deviations above the learned per-bucket mean, in log space.</param>
/// <param name="Extreme">Beyond <see cref="BaselineOptions.ExtremeVolumeSigma"/>: alerts without waiting for persistence.</param>
public sealed record VolumeFinding(
    string Direction,
    long BucketBytes,
    double ZScore,
    LogVolumeStatistics BucketStatistics,
    long ConnectionBytes,
    LogVolumeStatistics ConnectionStatistics,
    bool Extreme);
