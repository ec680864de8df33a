using StackExchange.Redis;

namespace Vigil.Redis.IntegrationTests;

/// <summary>
/// A state write's script arguments: a large write reuses an earlier write's array when it is at most an eighth longer,
/// the arguments past the write's own are empty strings (the script reads only what its plan names), and a kept array
/// holds nothing of the write that returned it.
/// </summary>
public sealed class ArgumentArraysTests
{
    [Fact]
    public void ALargeWriteReusesAnEarlierWritesArrayWhoseExtraArgumentsAreEmptyStrings()
    {
        var arrays = new ArgumentArrays();
        var first = arrays.Rent(1_000);
        Assert.True(first.Length >= 1_000);
        first.AsSpan().Fill("field");
        arrays.Return(first);

        var second = arrays.Rent(980);
        Assert.Same(first, second);
        Assert.All(second.AsSpan(0, 980).ToArray(), v => Assert.True(v.IsNull));
        Assert.All(second.AsSpan(980).ToArray(), v => Assert.Equal(RedisValue.EmptyString, v));
        Assert.Equal((2L, 1L), (arrays.Rented, arrays.Reused));
    }

    [Fact]
    public void AWriteMuchSmallerOrLargerThanTheKeptArraysTakesAnArrayOfItsOwn()
    {
        var arrays = new ArgumentArrays();
        var large = arrays.Rent(4_000);
        arrays.Return(large);

        var small = arrays.Rent(1_000);
        Assert.NotSame(large, small);
        Assert.True(small.Length - 1_000 <= 1_000 / 8);

        var larger = arrays.Rent(5_000);
        Assert.NotSame(large, larger);
        Assert.True(larger.Length >= 5_000);
    }

    [Fact]
    public void ASmallWriteGetsAnArrayOfExactlyItsArguments()
    {
        var arrays = new ArgumentArrays();
        var array = arrays.Rent(ArgumentArrays.MinPooled - 1);
        Assert.Equal(ArgumentArrays.MinPooled - 1, array.Length);
        arrays.Return(array);
        Assert.NotSame(array, arrays.Rent(ArgumentArrays.MinPooled - 1));
    }
}
