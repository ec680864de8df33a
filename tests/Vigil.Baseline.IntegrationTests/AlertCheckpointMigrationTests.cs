using StackExchange.Redis;
using Vigil.Baseline.Storage;
using Vigil.Redis;
using Vigil.Testing;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>The baseline's alert checkpoints under the key format shared with the correlators, and the move from its former keys.</summary>
public sealed class AlertCheckpointMigrationTests(RedisServer redis)
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ACheckpointUnderTheFormerKeyIsRecoveredAndMovedToTheSharedKeyOnce(RedisProtocol protocol)
    {
        var prefix = $"ckpt{Guid.NewGuid():N}"[..16];
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var db = connection.GetDatabase();
        var keys = new BaselineKeys(new RedisKeys(prefix));
        // The store's own connection, as the baseline opens it with Redis:Protocol.
        await using var connector = new RedisConnector(new RedisOptions { Endpoints = [redis.Endpoint], KeyPrefix = prefix, Protocol = protocol });
        var speaking = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        await RedisProtocolAssert.SpeaksAsync(speaking, protocol);
        var store = new BaselineStore(speaking, keys, new BaselineOptions(), new BaselineMetrics(IsolatedMetrics.Factory()));
        // What an earlier release left for telemetry partition 3: alert partitions 0 and 1 at offsets 17 and 4.
        await db.HashSetAsync(keys.FormerAlertCursor(3), [new HashEntry(0, 17), new HashEntry(1, 4)]);
        await store.AlertCheckpoints.SaveCheckpointsAsync([5], new Dictionary<int, long> { [0] = 20, [1] = 9 });

        var loaded = await store.AlertCheckpoints.LoadCheckpointsAsync([3, 5, 6]);

        Assert.Equal(new Dictionary<int, long> { [0] = 17, [1] = 4 }, loaded[3]);
        Assert.Equal(new Dictionary<int, long> { [0] = 20, [1] = 9 }, loaded[5]);
        Assert.False(loaded.ContainsKey(6));
        Assert.False(await db.KeyExistsAsync(keys.FormerAlertCursor(3)));
        // Readable with redis-cli under the format the correlators use.
        Assert.Equal($"{prefix}:fleet:{{alert-cursor-an1227}}:alert-cursor:an1227:3", store.AlertCheckpoints.Key(3).ToString());
        Assert.Equal("17", (await db.HashGetAsync(store.AlertCheckpoints.Key(3), 0)).ToString());
    }
}
