using Vigil.Eql.Sequences;

namespace Vigil.Eql.UnitTests;

public sealed class HeldBufferPoolTests
{
    [Fact]
    public void ThePoolKeepsReturnedArraysUpToItsLimitHoweverOftenSmallRequestsTookLargerArrays()
    {
        const int size = 4 * HeldBufferPool.Granularity;
        var pool = new HeldBufferPool(maxRetainedBytes: 4 * size);

        // A small request takes a returned array up to LargerClasses classes larger: the pool counts what it kept by
        // the array it handed out, not by the size asked for, or each round trip would leave its accounting fuller.
        for (var i = 0; i < 100; i++)
        {
            var array = pool.Rent(size)!;
            pool.Return(array);
            Assert.Same(array, pool.Rent(HeldBufferPool.Granularity));
            pool.Return(array);
            Assert.Same(array, pool.Rent(HeldBufferPool.Granularity));
        }

        var returned = Enumerable.Range(0, 4).Select(_ => new byte[size]).ToList();
        returned.ForEach(pool.Return);
        var reusedBefore = pool.Reused;
        var again = Enumerable.Range(0, 4).Select(_ => pool.Rent(size)).ToList();

        Assert.Equal(4, pool.Reused - reusedBefore);
        Assert.All(again, a => Assert.Contains(returned, r => ReferenceEquals(r, a)));

        // Nor did it count less than it kept: one array more than its limit allows is not kept.
        Enumerable.Range(0, 5).Select(_ => new byte[size]).ToList().ForEach(pool.Return);
        reusedBefore = pool.Reused;
        for (var i = 0; i < 5; i++)
        {
            pool.Rent(size);
        }

        Assert.Equal(4, pool.Reused - reusedBefore);
    }

    [Fact]
    public void ThePoolLetsTheCollectorHaveWhatIsReturnedBeyondItsLimit()
    {
        const int size = 2 * HeldBufferPool.Granularity;
        var pool = new HeldBufferPool(maxRetainedBytes: 3 * size);
        for (var i = 0; i < 5; i++)
        {
            pool.Return(new byte[size]);
        }

        var reusedBefore = pool.Reused;
        for (var i = 0; i < 5; i++)
        {
            pool.Rent(size);
        }

        Assert.Equal(3, pool.Reused - reusedBefore);
    }
}
