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

    /// <summary>How many standard deviations (never fewer than <paramref name="minStdDev"/>) <paramref name="bytes"/> lies above the mean.</summary>
    public double ZScore(long bytes, double minStdDev) => (LogOf(bytes) - Mean) / Math.Max(StdDev, minStdDev);

    /// <summary>The smallest volume whose z-score exceeds <paramref name="sigma"/>, never below <paramref name="floorBytes"/>.</summary>
    public double ThresholdBytes(double sigma, double minStdDev, long floorBytes) =>
        Count == 0 ? floorBytes : Math.Max(floorBytes, Math.Exp(Mean + (sigma * Math.Max(StdDev, minStdDev))) - 1);
}
