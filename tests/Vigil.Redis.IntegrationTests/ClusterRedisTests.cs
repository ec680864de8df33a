using StackExchange.Redis;
using Vigil.Testing;

namespace Vigil.Redis.IntegrationTests;

public sealed class ClusterRedisTests(RedisClusterServer cluster) : IClassFixture<RedisClusterServer>, IAsyncLifetime
{
    // Sets the first key and increments the second in one atomic step, as a per-host sequence update does.
    private const string TwoKeyScript = """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', 60000)
        local count = redis.call('INCR', KEYS[2])
        redis.call('PEXPIRE', KEYS[2], 60000)
        return {redis.call('GET', KEYS[1]), count}
        """;

    private RedisConnector connector = null!;
    private IConnectionMultiplexer multiplexer = null!;
    private IDatabase database = null!;

    public static TheoryData<string> HostIds =>
    [
        "C02XK1ZJJGH5", "7D3F0A52-1B6C-4E0A-9F1E-2B8C5A7D9E01", "{", "}", "a}b{c", "{}", "", "%", "host:{x}:seq", "ümlaut-Mac 💻",
    ];

    public async ValueTask InitializeAsync()
    {
        // One seed: the connector must discover the other primaries.
        connector = new RedisConnector(new RedisOptions
        {
            Endpoints = [cluster.Endpoints[0]],
            Mode = RedisMode.Cluster,
            KeyPrefix = StandaloneRedisTests.UniquePrefix(),
        });
        multiplexer = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        database = multiplexer.GetDatabase();
    }

    public ValueTask DisposeAsync() => connector.DisposeAsync();

    [Fact]
    public async Task TheConnectorFindsEveryPrimaryFromOneSeed()
    {
        var ping = await connector.PingAsync(TestContext.Current.CancellationToken);

        Assert.Equal(
            cluster.Endpoints.Order(StringComparer.Ordinal),
            ping.Primaries.Select(EndPointCollection.ToString).Order(StringComparer.Ordinal));
        Assert.Null(ping.Warning);
    }

    [Theory]
    [MemberData(nameof(HostIds))]
    public async Task EveryKeyOfAHostMapsToTheSlotOfItsHashTag(string hostId)
    {
        RedisKey[] hostKeys =
        [
            connector.Keys.Host(hostId, "seq", "an0167", "p-1"),
            connector.Keys.Host(hostId, "seq", "an0994", "/Users/a/Downloads/x:{y}"),
            connector.Keys.Host(hostId, "dedup"),
        ];

        var slots = new List<long>();
        foreach (var key in hostKeys)
        {
            slots.Add(await KeySlotAsync(key.ToString()));
        }

        Assert.Single(slots.Distinct());
        Assert.Equal(await KeySlotAsync(RedisKeys.Escape(hostId)), slots[0]);
    }

    [Theory]
    [MemberData(nameof(HostIds))]
    public async Task ALuaScriptUpdatesTwoKeysOfOneHostOnTheCluster(string hostId)
    {
        RedisKey[] scriptKeys = [connector.Keys.Host(hostId, "seq", "an0167"), connector.Keys.Host(hostId, "seq-count", "an0167")];

        var first = (RedisResult[])(await database.ScriptEvaluateAsync(TwoKeyScript, scriptKeys, ["exec"]))!;
        var second = (RedisResult[])(await database.ScriptEvaluateAsync(TwoKeyScript, scriptKeys, ["network"]))!;

        Assert.Equal("exec", (string?)first[0]);
        Assert.Equal(1, (long)first[1]);
        Assert.Equal("network", (string?)second[0]);
        Assert.Equal(2, (long)second[1]);
    }

    [Fact]
    public async Task TheClusterRefusesAScriptOverTwoHostsInDifferentSlots()
    {
        var first = connector.Keys.Host("mac-1", "seq").ToString();
        var slot = await KeySlotAsync(first);
        string? second = null;
        for (var i = 2; second is null; i++)
        {
            var candidate = connector.Keys.Host($"mac-{i}", "seq").ToString();
            second = await KeySlotAsync(candidate) != slot ? candidate : null;
        }

        var reply = await cluster.Nodes[0].SendAsync(TestContext.Current.CancellationToken, "EVAL", TwoKeyScript, "2", first, second, "exec");

        Assert.StartsWith("-CROSSSLOT", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostsSpreadOverEveryPrimary()
    {
        const int hosts = 300;
        var writes = Enumerable.Range(0, hosts)
            .Select(i => database.StringSetAsync(connector.Keys.Host($"mac-{i:D5}", "seq"), "1", TimeSpan.FromMinutes(1)))
            .ToArray();
        await Task.WhenAll(writes);

        var perPrimary = new List<int>();
        foreach (var primary in multiplexer.GetServers().Where(s => !s.IsReplica))
        {
            var count = 0;
            await foreach (var _ in primary.KeysAsync(pattern: connector.Keys.Prefix + ":*"))
            {
                count++;
            }

            perPrimary.Add(count);
        }

        Assert.Equal(RedisClusterServer.PrimaryCount, perPrimary.Count);
        Assert.Equal(hosts, perPrimary.Sum());

        // With 300 hosts each primary holds about a third; a share under 20% would mean hosts do not spread.
        Assert.All(perPrimary, count => Assert.True(count > hosts / 5, $"key counts per primary: {string.Join(", ", perPrimary)}"));
    }

    private async Task<long> KeySlotAsync(string key)
    {
        // Asked of the server, so the test checks Redis's own slot rule, not the client's copy of it.
        var reply = await cluster.Nodes[0].SendAsync(TestContext.Current.CancellationToken, "CLUSTER", "KEYSLOT", key);
        Assert.StartsWith(":", reply, StringComparison.Ordinal);
        return long.Parse(reply[1..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
