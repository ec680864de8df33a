using Vigil.Baseline.Learning;

namespace Vigil.Baseline.UnitTests;

public sealed class BucketHistoryTests
{
    [Fact]
    public void AnomalousBucketsAreCountedOnlyWhileInsideTheWindow()
    {
        var history = new BucketHistory(0, Window: 5).MarkCurrentAnomalous();
        history = history.Advance(1).MarkCurrentAnomalous();
        Assert.Equal(2, history.AnomalousCount);

        history = history.Advance(3);
        Assert.Equal(2, history.AnomalousCount);
        Assert.False(history.CurrentAnomalous);

        history = history.Advance(1);
        Assert.Equal(1, history.AnomalousCount);
        history = history.Advance(1);
        Assert.Equal(0, history.AnomalousCount);
    }

    [Fact]
    public void AGapAsLongAsTheWindowForgetsEverything()
    {
        var history = new BucketHistory(0b11111, Window: 5);

        Assert.Equal(0, history.Advance(5).AnomalousCount);
        Assert.Equal(0, history.Advance(1_000_000).AnomalousCount);
    }

    [Fact]
    public void FlagsListTheWindowNewestFirst()
    {
        var history = new BucketHistory(0, Window: 4).MarkCurrentAnomalous().Advance(2).MarkCurrentAnomalous();

        Assert.Equal([true, false, true, false], history.Flags());
    }

    [Fact]
    public void MarkingTheCurrentBucketTwiceCountsItOnce()
    {
        var history = new BucketHistory(0, Window: 5).MarkCurrentAnomalous().MarkCurrentAnomalous();

        Assert.Equal(1, history.AnomalousCount);
    }
}
