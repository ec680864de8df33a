namespace Vigil.Baseline.UnitTests;

/// <summary>
/// The baseline's per-event caches (image identities, signature and peer texts, Redis keys) stay bounded and keep
/// what is in use however many other keys went through them.
/// </summary>
public sealed class BoundedCacheTests
{
    [Fact]
    public void AKeyInUseStaysCachedWhileManyNewKeysStreamPast()
    {
        var cache = new BoundedCache<string, string>(capacity: 100, StringComparer.Ordinal);
        var derived = 0;
        string Derive(string key)
        {
            derived++;
            return key.ToUpperInvariant();
        }

        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal("HOT", cache.GetOrAdd("hot", Derive));
            cache.GetOrAdd($"cold-{i}", Derive);
        }

        // "hot" was derived once; each cold key once.
        Assert.Equal(10_001, derived);
        Assert.InRange(cache.Count, 1, 100);
    }

    [Fact]
    public void NewKeysAreStillCachedAfterTheCacheFilledUp()
    {
        var cache = new BoundedCache<int, string>(capacity: 100);
        var derived = 0;
        for (var i = 0; i < 1_000; i++)
        {
            cache.GetOrAdd(i, k => $"{++derived}");
        }

        // A late newcomer is remembered: asking again derives nothing.
        var before = derived;
        var first = cache.GetOrAdd(5_000, k => $"{++derived}");
        Assert.Equal(first, cache.GetOrAdd(5_000, k => $"{++derived}"));
        Assert.Equal(before + 1, derived);
        Assert.InRange(cache.Count, 1, 100);
    }

    [Fact]
    public void KeysNotUsedForAGenerationAreDerivedAgain()
    {
        var cache = new BoundedCache<int, int>(capacity: 10);
        var derived = 0;
        cache.GetOrAdd(-1, k => ++derived);
        for (var i = 0; i < 20; i++)
        {
            cache.GetOrAdd(i, k => ++derived);
        }

        Assert.Equal(22, cache.GetOrAdd(-1, k => ++derived));
    }
}
