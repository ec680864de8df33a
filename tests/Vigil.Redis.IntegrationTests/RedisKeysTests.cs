namespace Vigil.Redis.IntegrationTests;

public sealed class RedisKeysTests
{
    private readonly RedisKeys keys = new("vigil");

    public static TheoryData<string> HostileHostIds =>
    [
        "{", "}", "{}", "}{", "a}b{c", ":", "host:{x}:seq", "", "%", "%25", "%7B", "%7b", "%%", "ümlaut-Mac 💻", " ",
    ];

    [Fact]
    public void HostKeysCarryThePrefixThenTheHostIdAsHashTagThenKindAndParts()
    {
        Assert.Equal("vigil:{C02XK1ZJ}:seq:an0167:p-42", keys.Host("C02XK1ZJ", "seq", "an0167", "p-42").ToString());
        Assert.Equal("vigil:{C02XK1ZJ}:dedup", keys.Host("C02XK1ZJ", "dedup").ToString());
    }

    [Fact]
    public void FleetKeysUseTheirOwnHashTagUnderTheFleetScope()
    {
        Assert.Equal(
            "vigil:fleet:{com.apple.curl}:profile:protocols",
            keys.Fleet("com.apple.curl", "profile", "protocols").ToString());
    }

    [Fact]
    public void AFleetKeyNeverEqualsAHostKeyEvenWithTheSameTagAndKind()
    {
        Assert.NotEqual(keys.Host("fleet", "profile").ToString(), keys.Fleet("fleet", "profile").ToString());
        Assert.NotEqual(keys.Host("x", "profile").ToString(), keys.Fleet("x", "profile").ToString());
    }

    [Theory]
    [MemberData(nameof(HostileHostIds))]
    public void AHostileHostIdStaysInsideTheHashTagAndCanBeRecoveredFromTheKey(string hostId)
    {
        string key = keys.Host(hostId, "seq", "an0167", "a:b{c}").ToString();

        // Redis Cluster hashes the text between the first '{' and the first '}' after it, when that text is not empty.
        var tag = ClusterHashTag(key);
        Assert.NotNull(tag);
        Assert.Equal(RedisKeys.Escape(hostId), tag);
        Assert.True(keys.TryGetHostId(key, out var recovered));
        Assert.Equal(hostId, recovered);
    }

    [Theory]
    [MemberData(nameof(HostileHostIds))]
    public void EscapingIsReversible(string component)
    {
        Assert.Equal(component, RedisKeys.Unescape(RedisKeys.Escape(component)));
    }

    [Fact]
    public void DifferentHostIdsOrComponentListsNeverShareAKey()
    {
        string[] built =
        [
            keys.Host("{", "seq").ToString(), keys.Host("%7B", "seq").ToString(), keys.Host("%7b", "seq").ToString(), keys.Host("", "seq").ToString(), keys.Host("%", "seq").ToString(),
            keys.Host("a", "seq", "b:c").ToString(), keys.Host("a", "seq", "b", "c").ToString(), keys.Host("a:seq", "b").ToString(), keys.Host("a", "seq:b").ToString(),
            keys.Host("a", "seq", "").ToString(), keys.Host("a", "seq").ToString(),
        ];

        Assert.Equal(built.Length, built.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void KeysLongerThanTheStackBufferAreBuiltWhole()
    {
        var path = "/Users/analyst/Library/Caches/" + new string('x', 600) + ":{payload}";

        string key = keys.Host("mac-1", "file", path).ToString();

        Assert.Equal("vigil:{mac-1}:file:/Users/analyst/Library/Caches/" + new string('x', 600) + "%3A%7Bpayload%7D", key);
    }

    [Fact]
    public void BuildingAKeyAllocatesNothingButTheKeyItself()
    {
        // Runs per event: escaping, parts and the buffer must not allocate; only the resulting string may.
        string Build() => keys.Host("host:{1}", "seq", "an0167", "p-42").ToString();
        var expected = Build();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var key = Build();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, key);
        Assert.InRange(allocated, 1, 32 + (2 * key.Length));
    }

    [Theory]
    [InlineData("")]
    [InlineData("%4")]
    [InlineData("%zz")]
    [InlineData("%41")]
    [InlineData("a{b")]
    [InlineData("a:b")]
    public void UnescapeRejectsTextThatEscapeNeverProduces(string text)
    {
        Assert.Throws<FormatException>(() => RedisKeys.Unescape(text));
    }

    [Fact]
    public void TryGetHostIdIgnoresKeysOfOtherPrefixesAndFleetKeys()
    {
        Assert.False(keys.TryGetHostId(new RedisKeys("other").Host("mac-1", "seq").ToString(), out _));
        Assert.False(keys.TryGetHostId(keys.Fleet("mac-1", "profile").ToString(), out _));
        Assert.False(keys.TryGetHostId("vigil:{unterminated", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("vigil{x}")]
    [InlineData("vi}gil")]
    public void APrefixThatWouldMoveTheHashTagIsRefused(string prefix)
    {
        Assert.Throws<ArgumentException>(() => new RedisKeys(prefix));
    }

    [Fact]
    public void APrefixMayHaveSeveralSegments()
    {
        Assert.Equal("vigil:staging:{mac-1}:seq", new RedisKeys("vigil:staging").Host("mac-1", "seq").ToString());
    }

    private static string? ClusterHashTag(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }

        var close = key.IndexOf('}', open + 1);
        return close <= open + 1 ? null : key[(open + 1)..close];
    }
}
