using Vigil.Eql.Evaluation;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// The rule index compares values with OrdinalIgnoreCase; wildcard patterns compare with per-character
/// ToUpperInvariant. The index is sound only if every pair the patterns call equal the index calls equal too.
/// </summary>
public sealed class RuleIndexCaseTests
{
    [Fact]
    public void EveryCharacterAWildcardFoldsTogetherTheIndexFoldsTogetherToo()
    {
        for (var c = char.MinValue; c < char.MaxValue; c++)
        {
            var upper = char.ToUpperInvariant(c);
            Assert.True(string.Equals(c.ToString(), upper.ToString(), StringComparison.OrdinalIgnoreCase), $"U+{(int)c:X4} and U+{(int)upper:X4}");
        }
    }

    [Theory]
    [InlineData("/Users/*/Library/*", "/Users/", false)]
    [InlineData("curl", "curl", true)]
    [InlineData("tclsh*", "tclsh", false)]
    [InlineData("a?c*", "a", false)]
    [InlineData("*python", "", false)]
    [InlineData("*", "", false)]
    public void APatternRequiresTheTextBeforeItsFirstWildcard(string pattern, string prefix, bool exact)
    {
        var wildcard = new WildcardPattern(pattern, ignoreCase: true);
        Assert.Equal(prefix, wildcard.LiteralPrefix);
        Assert.Equal(exact, wildcard.IsExact);
    }

    [Theory]
    [InlineData("*.plist", ".plist")]
    [InlineData("*/Library/*.dylib", ".dylib")]
    [InlineData("/Users/*/Library/*", "")]
    [InlineData("*python*", "")]
    [InlineData("*.?ip", "ip")]
    [InlineData("curl", "curl")]
    public void APatternRequiresTheTextAfterItsLastWildcard(string pattern, string suffix)
    {
        var wildcard = new WildcardPattern(pattern, ignoreCase: false);
        Assert.Equal(suffix, wildcard.LiteralSuffix);
        Assert.True(!wildcard.Matches("x" + suffix + "y") || suffix.Length == 0 || pattern.EndsWith('*'));
    }
}
