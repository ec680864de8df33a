using Vigil.Baseline.Learning;

namespace Vigil.Baseline.UnitTests;

public sealed class LogVolumeStatisticsTests
{
    private static readonly long[] Volumes = [812, 1_200, 4_000, 650, 2_300, 9_100, 1_750, 3_333, 700, 15_000, 2_020, 1_024];

    [Fact]
    public void MeanAndSpreadAreThoseOfTheLogsOfTheVolumes()
    {
        var statistics = Volumes.Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v));

        var logs = Volumes.Select(v => Math.Log(1 + v)).ToArray();
        var mean = logs.Average();
        var variance = logs.Sum(l => (l - mean) * (l - mean)) / (logs.Length - 1);
        Assert.Equal(Volumes.Length, statistics.Count);
        Assert.Equal(mean, statistics.Mean, 12);
        Assert.Equal(Math.Sqrt(variance), statistics.StdDev, 12);
    }

    [Fact]
    public void SummariesMergedInAnyOrderEqualOneSummaryOfEverything()
    {
        var whole = Volumes.Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v));
        var parts = Volumes.Chunk(5).Select(c => c.Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v))).ToArray();

        var forward = parts.Aggregate(LogVolumeStatistics.Empty, (a, b) => a.Merge(b));
        var backward = parts.Reverse().Aggregate(LogVolumeStatistics.Empty, (a, b) => a.Merge(b));

        foreach (var merged in new[] { forward, backward })
        {
            Assert.Equal(whole.Count, merged.Count);
            Assert.Equal(whole.Mean, merged.Mean, 12);
            Assert.Equal(whole.Variance, merged.Variance, 12);
        }
    }

    [Fact]
    public void ATenfoldVolumeIsOneLogUnitAboveTheMean()
    {
        var statistics = new LogVolumeStatistics(100, Math.Log(1 + 1_000), 99 * 1.0);

        Assert.Equal(1, statistics.StdDev, 12);
        Assert.Equal(Math.Log(10_001.0 / 1_001), statistics.ZScore(10_000, minStdDev: 0.1, maxStdDev: 2), 12);
    }

    [Fact]
    public void ANearConstantVolumeIsJudgedWithTheMinimumSpread()
    {
        var constant = Enumerable.Repeat(1_000L, 50).Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v));

        Assert.Equal(0, constant.StdDev, 12);
        Assert.Equal((Math.Log(2_001) - Math.Log(1_001)) / 0.5, constant.ZScore(2_000, minStdDev: 0.5, maxStdDev: 2), 12);
    }

    [Fact]
    public void TheAnomalyThresholdNeverFallsBelowTheFloor()
    {
        var small = Enumerable.Repeat(100L, 50).Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v));

        Assert.Equal(1_000_000, small.ThresholdBytes(sigma: 4, minStdDev: 0.5, maxStdDev: 1.75, floorBytes: 1_000_000));
        Assert.Equal((Math.Exp(Math.Log(101) + 2) - 1), small.ThresholdBytes(sigma: 4, minStdDev: 0.5, maxStdDev: 1.75, floorBytes: 0), 9);
    }

    [Fact]
    public void AFewNearEmptyBucketsDoNotPutTheThresholdAtTerabytes()
    {
        // Thirty busy minutes of ~2 MB each and a dozen idle ones (0-200 bytes): log(1 + 0) = 0 stretches the
        // standard deviation past 5, which alone would put a 4σ threshold at e^(mean + 20), petabytes.
        long[] busy = [.. Enumerable.Range(0, 30).Select(i => 1_500_000L + (i * 40_000))];
        long[] idle = [0, 0, 0, 12, 40, 0, 200, 0, 0, 64, 0, 0];
        var buckets = busy.Concat(idle).Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v));

        var threshold = buckets.ThresholdBytes(sigma: 4, minStdDev: 0.5, maxStdDev: 1.75, floorBytes: 1_048_576);

        Assert.True(buckets.StdDev > 5, $"σ {buckets.StdDev}");
        Assert.Equal(Math.Exp(buckets.Mean + (4 * 1.75)) - 1, threshold, 6);
        Assert.InRange(threshold, busy.Max(), 10e9);
    }

    [Fact]
    public void ASpreadWithinTheBoundsIsTheSampleStandardDeviation()
    {
        var statistics = new LogVolumeStatistics(100, Math.Log(1 + 1_000), 99 * 1.0);

        Assert.Equal(1, statistics.Spread(minStdDev: 0.5, maxStdDev: 1.75), 12);
        Assert.Equal(0.5, Enumerable.Repeat(7L, 9).Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v)).Spread(0.5, 1.75), 12);
        Assert.Equal(1.75, new LogVolumeStatistics(100, 5, 99 * 9.0).Spread(0.5, 1.75), 12);
    }

    [Fact]
    public void AVolumeIsAnomalousExactlyAboveTheThresholdTheProfileShows()
    {
        var statistics = new LogVolumeStatistics(40, 8, 39 * 16.0);
        var threshold = statistics.ThresholdBytes(sigma: 4, minStdDev: 0.5, maxStdDev: 1.75, floorBytes: 0);

        Assert.True(statistics.ZScore((long)Math.Ceiling(threshold) + 1, 0.5, 1.75) > 4);
        Assert.True(statistics.ZScore((long)Math.Floor(threshold) - 1, 0.5, 1.75) < 4);
    }
}
