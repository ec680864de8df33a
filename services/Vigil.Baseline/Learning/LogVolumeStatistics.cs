namespace Vigil.Baseline.Learning;

/// <summary>
/// Count, mean and sum of squared deviations (M2) of log(1 + bytes). Traffic volumes span orders of magnitude and
/// are roughly log-normal, so spread is judged in log space. Two summaries merge exactly (Chan et al.'s parallel
/// formula), in any order: that is how per-batch summaries from many consumers combine into one profile.
/// </summary>
public readonly record struct LogVolumeStatistics(long Count, double Mean, double M2)
{
    public static LogVolumeStatistics Empty => default;

    /// <summary>Sample variance; 0 with fewer than two samples.</summary>
    public double Variance => Count < 2 ? 0 : Math.Max(0, M2 / (Count - 1));

    public double StdDev => Math.Sqrt(Variance);

    /// <summary>The typical volume: exp(mean) - 1 bytes.</summary>
    public double TypicalBytes => Count == 0 ? 0 : Math.Exp(Mean) - 1;

    public static double LogOf(long bytes) => Math.Log(1 + (double)Math.Max(0, bytes));

    public LogVolumeStatistics Add(long bytes) => Merge(new LogVolumeStatistics(1, LogOf(bytes), 0));

    public LogVolumeStatistics Merge(LogVolumeStatistics other)
    {
        if (other.Count == 0)
        {
            return this;
        }

        if (Count == 0)
        {
            return other;
        }

        var count = Count + other.Count;
        var delta = other.Mean - Mean;
        return new LogVolumeStatistics(
            count,
            Mean + (delta * other.Count / count),
            M2 + other.M2 + (delta * delta * Count * other.Count / count));
    }

    /// <summary>
    /// The spread volumes are judged with: the sample standard deviation, clamped to
    /// [<paramref name="minStdDev"/>, <paramref name="maxStdDev"/>]. The floor keeps a near-constant volume from making
    /// every change infinitely far out. The ceiling is there because log(1 + bytes) is only roughly normal: near-empty
    /// buckets and connections (log(1 + 0) = 0) sit in the low tail, and a few of them, or a small sample, widen the
    /// standard deviation to 3-5, which put the upper threshold at e^(4·4.4) ≈ 4·10^7 times the typical volume
    /// (terabytes for a megabyte-sized image). The upper tail is what an exfiltration moves, so beyond the ceiling
    /// the spread counts as the ceiling: with the defaults (4σ, ceiling 1.75) a volume about 1,100 times the typical
    /// one is anomalous whatever the low tail looks like.
    /// </summary>
    public double Spread(double minStdDev, double maxStdDev) => Math.Clamp(StdDev, minStdDev, Math.Max(minStdDev, maxStdDev));

    /// <summary>How many spreads (<see cref="Spread"/>) <paramref name="bytes"/> lies above the mean, in log space.</summary>
    public double ZScore(long bytes, double minStdDev, double maxStdDev) => (LogOf(bytes) - Mean) / Spread(minStdDev, maxStdDev);

    /// <summary>
    /// The smallest volume whose <see cref="ZScore"/> exceeds <paramref name="sigma"/>, never below
    /// <paramref name="floorBytes"/>: exp(mean + sigma · spread) - 1.
    /// </summary>
    public double ThresholdBytes(double sigma, double minStdDev, double maxStdDev, long floorBytes) =>
        Count == 0 ? floorBytes : Math.Max(floorBytes, Math.Exp(Mean + (sigma * Spread(minStdDev, maxStdDev))) - 1);
}
