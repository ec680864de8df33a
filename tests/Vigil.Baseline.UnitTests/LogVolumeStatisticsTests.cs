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
        Assert.Equal(Math.Log(10_001.0 / 1_001), statistics.ZScore(10_000, minStdDev: 0.1), 12);
    }

    [Fact]
    public void ANearConstantVolumeIsJudgedWithTheMinimumSpread()
    {
        var constant = Enumerable.Repeat(1_000L, 50).Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v));

        Assert.Equal(0, constant.StdDev, 12);
        Assert.Equal((Math.Log(2_001) - Math.Log(1_001)) / 0.5, constant.ZScore(2_000, minStdDev: 0.5), 12);
    }

    [Fact]
    public void TheAnomalyThresholdNeverFallsBelowTheFloor()
    {
        var small = Enumerable.Repeat(100L, 50).Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v));

        Assert.Equal(1_000_000, small.ThresholdBytes(sigma: 4, minStdDev: 0.5, floorBytes: 1_000_000));
        Assert.Equal((Math.Exp(Math.Log(101) + 2) - 1), small.ThresholdBytes(sigma: 4, minStdDev: 0.5, floorBytes: 0), 9);
    }
}
