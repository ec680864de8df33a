using Vigil.Baseline.Storage;

namespace Vigil.Baseline.UnitTests;

public sealed class ExpiryRefreshTests
{
    [Theory]
    [InlineData(30 * 24 * 60, 60)] // Retention's default: an hour (1 % would be 7.2 h).
    [InlineData(24 * 60, 14.4)] // HostStateRetention's default: 1 %.
    [InlineData(60, 0.6)] // make run's HostStateRetention.
    public void AKeyOutlivesItsRetentionByAtMostOnePercentAndNeverMoreThanAnHour(double retentionMinutes, double marginMinutes)
    {
        var retention = TimeSpan.FromMinutes(retentionMinutes);

        Assert.Equal(TimeSpan.FromMinutes(marginMinutes), ExpiryRefresh.Margin(retention));
        Assert.Equal((long)(retention + TimeSpan.FromMinutes(marginMinutes)).TotalMilliseconds, ExpiryRefresh.RefreshedTtlMillis(retention));
    }

    [Fact]
    public void AKeyIsRefreshedWhenItsLastRefreshIsTheMarginOrMoreBackOrUnknown()
    {
        const long margin = 36_000;
        const long now = 10_000_000;

        Assert.True(ExpiryRefresh.IsDue(0, now, margin));
        Assert.True(ExpiryRefresh.IsDue(now - margin, now, margin));
        Assert.False(ExpiryRefresh.IsDue(now - margin + 1, now, margin));
        Assert.False(ExpiryRefresh.IsDue(now, now, margin));
    }
}
