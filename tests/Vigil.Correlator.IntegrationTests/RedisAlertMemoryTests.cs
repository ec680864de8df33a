using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Redis;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// The correlator's alert memory on a real redis-server, connected over RESP2 and over RESP3 (Redis:Protocol): what one
/// batch remembers (the ids it published, the suppression windows they opened, the alerts suppressed in them, the
/// alert-topic checkpoint) is what the next batch, and the next owner of the telemetry partition, read back.
/// </summary>
public sealed class RedisAlertMemoryTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly CompiledRule SuppressedByHost = AnalyticPack.Load(
        CorrelatorHarness.Analytic, CorrelatorHarness.SuppressionRulesFolder, TimeSpan.FromSeconds(2)).Rules.Single();

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AnAlertPublishedOnceIsARepeatAndOneInAnOpenWindowIsSuppressedAndCountedWhicheverProtocolTheCorrelatorSpeaks(RedisProtocol protocol)
    {
        await using var connector = Connector(protocol);
        var memory = await MemoryAsync(connector);
        var opener = Pending("alert-1", "mac-1");
        var inWindow = Pending("alert-2", "mac-1");
        var otherHost = Pending("alert-3", "mac-2");
        Assert.Empty(await memory.FindRepeatsAsync([opener, inWindow, otherHost]));

        await memory.RememberAsync([opener], [], [4], new Dictionary<int, long> { [0] = 10 });
        await memory.RememberAsync([], [inWindow, inWindow], [4], new Dictionary<int, long> { [0] = 10 });

        // A replay of the batch finds the published id; the host's window drops the other alert; mac-2 has no window.
        var repeats = await memory.FindRepeatsAsync([opener, inWindow, otherHost]);
        Assert.Equal(new Dictionary<string, AlertDrop> { ["alert-1"] = AlertDrop.Duplicate, ["alert-2"] = AlertDrop.Suppressed }, repeats);
        Assert.Equal(2, await memory.SuppressedCountAsync(inWindow));
        Assert.Equal(0, await memory.SuppressedCountAsync(otherHost));

        // Counted against a window that is gone (expired meanwhile), an alert is not counted and opens no window.
        await memory.RememberAsync([], [otherHost], [4], new Dictionary<int, long> { [0] = 10 });
        Assert.Equal(0, await memory.SuppressedCountAsync(otherHost));
        Assert.Empty(await memory.FindRepeatsAsync([otherHost]));
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task TheNextOwnerOfATelemetryPartitionReadsTheAlertCheckpointItsLastOwnerSavedWhicheverProtocolEitherSpeaks(RedisProtocol protocol)
    {
        var prefix = Prefix();
        var other = protocol == RedisProtocol.Resp2 ? RedisProtocol.Resp3 : RedisProtocol.Resp2;
        await using (var lastOwner = Connector(protocol, prefix))
        {
            var memory = await MemoryAsync(lastOwner);
            await memory.RememberAsync([Pending("alert-1", "mac-1")], [], [4, 5], new Dictionary<int, long> { [0] = 12, [1] = 7 });
        }

        foreach (var speaking in new[] { protocol, other })
        {
            await using var nextOwner = Connector(speaking, prefix);
            var checkpoints = new RedisAlertCheckpoints(await nextOwner.ConnectAsync(TestContext.Current.CancellationToken), nextOwner.Keys, CorrelatorHarness.Analytic);

            var loaded = await checkpoints.LoadCheckpointsAsync([4, 5, 6]);

            Assert.Equal([4, 5], loaded.Keys.Order());
            Assert.All(loaded.Values, cursor => Assert.Equal(new Dictionary<int, long> { [0] = 12, [1] = 7 }, cursor));
        }
    }

    private RedisConnector Connector(RedisProtocol protocol, string? prefix = null) =>
        new(new RedisOptions { Endpoints = [redis.Endpoint], KeyPrefix = prefix ?? Prefix(), Protocol = protocol });

    private static async Task<RedisAlertMemory> MemoryAsync(RedisConnector connector)
    {
        var connection = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        await RedisProtocolAssert.SpeaksAsync(connection, connector.Options.Protocol ?? throw new InvalidOperationException("These tests set Redis:Protocol."));
        var options = new CorrelatorOptions { Analytic = CorrelatorHarness.Analytic };
        var metrics = new CorrelatorMetrics(IsolatedMetrics.Factory());
        return new RedisAlertMemory(
            connection,
            new CorrelatorKeys(connector.Keys, options.Analytic),
            new SignalBudgetStore(connection, connector.Keys, options, metrics),
            new RedisAlertCheckpoints(connection, connector.Keys, options.Analytic),
            options,
            metrics);
    }

    /// <summary>An alert of the rule that suppresses by host.id, on <paramref name="host"/> (its suppression group).</summary>
    private static PendingAlert Pending(string id, string host) =>
        new(SuppressedByHost, new Alert { Id = id, Host = new Host { Id = host }, DetectionTime = 1_700_000_000_000_000_000 }, host);

    private static string Prefix() => "t" + Guid.NewGuid().ToString("N")[..12];
}
