using Vigil.Baseline.Identity;

using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.UnitTests;

public sealed class ProcessChainCacheTests
{
    [Fact]
    public void TheOldestProcessesAreForgottenFirstWhenTheCacheIsFull()
    {
        var mac = new BaselineTelemetry("mac-1");
        var cache = new ProcessChainCache(capacity: 2);

        cache.Remember(mac.Exec(Apple("a", "zsh", "/bin/zsh"), Start));
        cache.Remember(mac.Exec(Apple("b", "sh", "/bin/sh"), Start));
        cache.Remember(mac.Exec(Apple("c", "curl", "/usr/bin/curl"), Start));

        Assert.Equal(2, cache.Count);
        Assert.Null(cache.Find("a"));
        Assert.NotNull(cache.Find("c"));
    }

    [Fact]
    public void ACacheOfCapacityZeroRemembersNothing()
    {
        var cache = new ProcessChainCache(capacity: 0);

        cache.Remember(new BaselineTelemetry("mac-1").Exec(Apple("a", "zsh", "/bin/zsh"), Start));

        Assert.Equal(0, cache.Count);
    }
}
