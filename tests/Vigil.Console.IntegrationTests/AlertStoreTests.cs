using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Redis;
using Vigil.Testing;

namespace Vigil.Console.IntegrationTests;

/// <summary>
/// The console's alert store on a real redis-server, connected over RESP2 and over RESP3 (Redis:Protocol): alerts are
/// stored once, paged and filtered newest first, triaged with a history, and the oldest evicted past the bound, the
/// same under both. No browser: the store alone, as the console's pages and API use it.
/// </summary>
public sealed class AlertStoreTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AnAnalystPagesFiltersAndTriagesAlertsTheSameWhicheverProtocolTheConsoleSpeaks(RedisProtocol protocol)
    {
        await using var connector = new RedisConnector(new RedisOptions
        {
            Endpoints = [redis.Endpoint],
            KeyPrefix = "t" + Guid.NewGuid().ToString("N")[..12],
            Protocol = protocol,
        });
        var connection = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        await RedisProtocolAssert.SpeaksAsync(connection, protocol);
        var store = new AlertStore(connection, connector.Keys, new ConsoleOptions { MaxAlerts = 5 }, TimeProvider.System, new ConsoleMetrics(IsolatedMetrics.Factory()));

        // Seven alerts, a second apart, on two hosts; the first three low, the rest high. A replay stores nothing.
        var alerts = Enumerable.Range(0, 7).Select(i => Alert(i, i % 2 == 0 ? "mac-a" : "mac-b", i < 3 ? "low" : "high")).ToList();
        Assert.Equal(7, await store.AddAsync(alerts));
        Assert.Equal(0, await store.AddAsync(alerts[5..]));

        // Bounded to five: the two oldest went, with their index entries.
        var all = await store.PageAsync(AlertFilter.None, 1, 10);
        Assert.Equal(5, all.Total);
        Assert.Equal(["a6", "a5", "a4", "a3", "a2"], all.Alerts.Select(a => a.Alert.Id));
        Assert.Null(await store.GetAsync("a0"));
        Assert.Equal(["a6", "a4"], (await store.PageAsync(new AlertFilter(null, null, "high", "MAC-A", null, null), 1, 10)).Alerts.Select(a => a.Alert.Id));
        Assert.Equal(["a2"], (await store.PageAsync(new AlertFilter(null, null, "low", null, null, null), 1, 10)).Alerts.Select(a => a.Alert.Id));
        Assert.Equal(["mac-a", "mac-b"], (await store.SuggestionsAsync(AlertIndex.Host)).Order());

        await store.TriageAsync("a4", TriageAction.Assign, "ana", "having a look", "bob");
        var closed = await store.TriageAsync("a4", TriageAction.CloseTruePositive, "bob", "confirmed", null);

        Assert.Equal(TriageStatus.TruePositive, closed!.Status);
        var stored = await store.GetAsync("a4");
        Assert.Equal((TriageStatus.TruePositive, "bob"), (stored!.Triage.Status, stored.Triage.Assignee));
        Assert.NotNull(stored.Triage.Updated);
        Assert.Equal(
            [("assigned", "ana", "having a look"), ("closed as true positive", "bob", "confirmed")],
            (await store.HistoryAsync("a4")).Select(e => (e.Action, e.By, e.Note)));
        Assert.Equal(["a4"], (await store.PageAsync(new AlertFilter(null, null, null, null, null, TriageStatus.TruePositive), 1, 10)).Alerts.Select(a => a.Alert.Id));
        Assert.Equal(4, (await store.PageAsync(new AlertFilter(null, null, null, null, null, TriageStatus.New), 1, 10)).Total);
        Assert.Null(await store.TriageAsync("a0", TriageAction.Acknowledge, "ana", null, null));
    }

    private static Alert Alert(int i, string host, string severity) => new()
    {
        Id = $"a{i}",
        Rule = new Rule { Id = "rule-1", AnalyticId = "AN0167", Severity = severity },
        Host = new Host { Id = host, Name = host },
        DetectionTime = (1_700_000_000L + i) * 1_000_000_000L,
    };
}
