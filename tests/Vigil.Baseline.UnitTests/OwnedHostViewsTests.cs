using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;

namespace Vigil.Baseline.UnitTests;

public sealed class OwnedHostViewsTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void AViewJustWrittenIsHeldUntilItsPartitionIsRevoked()
    {
        var views = new OwnedHostViews(limit: 10, Day);
        var held = HostImageState.Empty(5);
        views.Keep([("tag-a", "mac-1", 3, held), ("tag-a", "mac-2", 4, HostImageState.Empty(5))], Environment.TickCount64);

        Assert.True(views.TryGet(("tag-a", "mac-1"), out var found));
        Assert.Same(held, found);

        views.Drop([3]);

        Assert.False(views.TryGet(("tag-a", "mac-1"), out _));
        Assert.True(views.TryGet(("tag-a", "mac-2"), out _));
    }

    [Fact]
    public void ViewsKeptBeforeTheBaselineLostItsMemoryAreReadFromRedisAgain()
    {
        var views = new OwnedHostViews(limit: 10, Day);
        views.KeepGeneration("generation-1");
        views.Keep([("tag-a", "mac-1", 3, HostImageState.Empty(5))], Environment.TickCount64);

        views.KeepGeneration("generation-1");
        Assert.True(views.TryGet(("tag-a", "mac-1"), out _));

        views.KeepGeneration("generation-2");
        Assert.False(views.TryGet(("tag-a", "mac-1"), out _));
    }

    [Fact]
    public void AForgottenViewIsReadAgain()
    {
        var views = new OwnedHostViews(limit: 10, Day);
        views.Keep([("tag-a", "mac-1", 3, HostImageState.Empty(5))], Environment.TickCount64);

        views.Forget([("tag-a", "mac-1")]);

        Assert.False(views.TryGet(("tag-a", "mac-1"), out _));
    }

    [Fact]
    public void OverTheLimitTheLeastRecentlyUsedViewsLeaveMemoryFirst()
    {
        var views = new OwnedHostViews(limit: 10, Day);
        for (var i = 0; i < 10; i++)
        {
            views.Keep([("tag", $"mac-{i}", 0, HostImageState.Empty(5))], Environment.TickCount64);
        }

        // mac-0 is used again, so mac-1 is now the least recently used.
        Assert.True(views.TryGet(("tag", "mac-0"), out _));
        views.Keep([("tag", "mac-10", 0, HostImageState.Empty(5))], Environment.TickCount64);

        Assert.Equal(9, views.Count);
        Assert.Equal(2, views.Shed);
        Assert.True(views.TryGet(("tag", "mac-0"), out _));
        Assert.True(views.TryGet(("tag", "mac-10"), out _));
        Assert.False(views.TryGet(("tag", "mac-1"), out _));
        Assert.False(views.TryGet(("tag", "mac-2"), out _));
    }

    [Fact]
    public void AViewIsNotHeldPastTheExpiryOfItsRedisCopy()
    {
        var views = new OwnedHostViews(limit: 10, TimeSpan.FromHours(1));
        views.Keep([("tag-a", "mac-1", 3, HostImageState.Empty(5))], Environment.TickCount64 - (long)TimeSpan.FromHours(1).TotalMilliseconds);

        Assert.False(views.TryGet(("tag-a", "mac-1"), out _));
    }

    [Fact]
    public void AViewWrittenSinceWithoutRefreshingItsExpiryLeavesMemoryWhenTheCopyLastRefreshedExpires()
    {
        var retention = TimeSpan.FromHours(1);
        var views = new OwnedHostViews(limit: 10, retention);
        var now = Environment.TickCount64;
        var refreshedLongAgo = HostImageState.Empty(5);
        refreshedLongAgo.ExpiryRefreshedAt = now - (long)(retention + ExpiryRefresh.Margin(retention)).TotalMilliseconds;
        var refreshedJustNow = HostImageState.Empty(5);
        refreshedJustNow.ExpiryRefreshedAt = now;

        views.Keep([Update("mac-1", refreshedLongAgo), Update("mac-2", refreshedJustNow)], now);

        Assert.False(views.TryGet((Image.Tag, "mac-1"), out _));
        Assert.True(views.TryGet((Image.Tag, "mac-2"), out _));
    }

    [Fact]
    public void ALimitOfZeroHoldsNothing()
    {
        var views = new OwnedHostViews(limit: 0, Day);
        views.Keep([("tag-a", "mac-1", 3, HostImageState.Empty(5))], Environment.TickCount64);

        Assert.Equal(0, views.Count);
    }

    private static readonly Identity.ProcessImage Image = new("signing:com.example.a", Identity.ProcessImageIdentityKind.CodeSigning);

    private static HostUpdate Update(string hostId, HostImageState state) => new(Image, hostId, new Watermark("t", 3, 1), state, new FleetContribution());
}
