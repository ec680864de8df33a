using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using StackExchange.Redis;
using Vigil.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>
/// Every rule type streamed through a correlator on the embedded broker and a real redis-server, with the rule files
/// and timelines the backtest tests use (files/rule_types): the same alerts must come out, and state must sit under
/// the keys the type calls for.
/// </summary>
public sealed partial class RuleTypeStreamingTests : RealStackTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private static string CaseFolder(string name) => Path.Combine(AppContext.BaseDirectory, "files", "rule_types", name);

    public static TheoryData<string> Cases => new(
        Directory.EnumerateDirectories(Path.Combine(AppContext.BaseDirectory, "files", "rule_types")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    private static List<TelemetryEvent> Events(string name) =>
        System.IO.File.ReadLines(Path.Combine(CaseFolder(name), "events.ndjson")).Where(l => l.Length > 0).Select(EcsJson.Parse<TelemetryEvent>).ToList();

    private static List<string> Expected(string name) =>
        System.IO.File.ReadLines(Path.Combine(CaseFolder(name), "expected.txt")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    private static string Evidence(Alert alert) => string.Join(",", alert.Evidence.Select(e => e.Event.Event.Id));

    /// <summary>
    /// Publishes the timeline one event at a time, each handled (committed) before the next: events of different
    /// hosts go to different partitions, and a fleet-wide window depends on the order they are handled in.
    /// </summary>
    private static async Task StreamAsync(CorrelatorHarness harness, IEnumerable<TelemetryEvent> events)
    {
        var group = harness.Topics.Manifest.ConsumerGroup("correlator", CorrelatorHarness.Analytic).Name;
        foreach (var e in events)
        {
            await harness.PublishAsync(e);
            await harness.Topics.WaitUntilCommittedAsync(group, Patience);
        }
    }

    private static async Task<WebApplication> StartAsync(CorrelatorHarness harness, string name, params string[] extra)
    {
        var app = CorrelatorApp.Build([.. harness.Arguments(rules: Path.Combine(CaseFolder(name), "rule.toml")), .. extra]);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EachRuleTypeStreamsTheAlertsItsBacktestRaises(string name)
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, name.Replace('_', '-'));
        var app = await StartAsync(harness, name);
        try
        {
            await StreamAsync(harness, Events(name));
            var expected = Expected(name);

            var alerts = harness.Alerts(expected.Count, Patience);

            // Alerts of different hosts land on different alert partitions: compare without their order.
            Assert.Equal(expected.Order(StringComparer.Ordinal), alerts.Select(Evidence).Order(StringComparer.Ordinal));
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task ThresholdStateByHostSitsUnderTheHostsHashTagAndFleetWideStateSpreadsByGroup()
    {
        await using var hostHarness = await CorrelatorHarness.StartAsync(Broker, Redis, "thr-host");
        var app = await StartAsync(hostHarness, "threshold_keygen");
        try
        {
            await StreamAsync(hostHarness, Events("threshold_keygen").Where(e => e.Host.Id == "mac-b"));
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }

        await using var fleetHarness = await CorrelatorHarness.StartAsync(Broker, Redis, "thr-fleet");
        app = await StartAsync(fleetHarness, "threshold_cardinality");
        try
        {
            await StreamAsync(fleetHarness, Events("threshold_cardinality").Where(e => e.Source.Ip == "198.51.100.8"));
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }

        var keys = await KeysAsync("*:thr:*");
        Assert.Contains(keys, k => k.Contains("{mac-b}:thr:b7b0d1a2-4c55-4f0e-9a51-0000000000a3", StringComparison.Ordinal));
        var fleet = Assert.Single(keys, k => k.Contains("0000000000a4", StringComparison.Ordinal));
        Assert.Matches(FleetKey(), fleet);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task NewTermsStateIsCappedPerHashWithTheOldestCombinationsEvictedWhicheverProtocolTheCorrelatorSpeaks(RedisProtocol protocol)
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, $"nt-cap-{protocol}", protocol);
        var app = await StartAsync(harness, "new_terms_host_exec", "--Correlator:NewTermsPerHash=10");
        try
        {
            await harness.AssertSpeaksItsProtocolAsync(app);
            var start = Events("new_terms_host_exec")[0];
            var many = Enumerable.Range(0, 25).Select(i =>
            {
                var e = start.Clone();
                e.Event.Id = $"many-{i}";
                e.Timestamp += i * 1_000_000_000L;
                e.Process.Executable = $"/usr/local/bin/tool-{i}";
                return e;
            }).ToArray();
            await harness.PublishAsync(many);
            await harness.Topics.WaitUntilCommittedAsync(harness.Topics.Manifest.ConsumerGroup("correlator", CorrelatorHarness.Analytic).Name, Patience);

            var hash = Assert.Single(await KeysAsync("*{mac-1}:nt:*"));
            await using var redis = await ConnectionMultiplexer.ConnectAsync(Redis.Endpoint);
            Assert.InRange(await redis.GetDatabase().HashLengthAsync(hash), 1, 10);
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ThresholdGroupsOfOneHostAreCappedByCountWithTheIdlestEvictedAndCountedWhicheverProtocolTheCorrelatorSpeaks(RedisProtocol protocol)
    {
        // The keygen rule grouped by host and process name: a host inventing process names makes ever new groups.
        var folder = Directory.CreateTempSubdirectory("vigil-thr-cap-");
        var rule = Path.Combine(folder.FullName, "rule.toml");
        await System.IO.File.WriteAllTextAsync(
            rule,
            (await System.IO.File.ReadAllTextAsync(Path.Combine(CaseFolder("threshold_keygen"), "rule.toml"), TestContext.Current.CancellationToken))
                .Replace("field = [\"host.id\"]", "field = [\"host.id\", \"process.name\"]", StringComparison.Ordinal)
                .Replace("process.name:\"sshd-keygen-wrapper\" and ", string.Empty, StringComparison.Ordinal),
            TestContext.Current.CancellationToken);
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, $"thr-cap-{protocol}", protocol);
        var app = CorrelatorApp.Build([.. harness.Arguments(rules: rule), "--Correlator:ThresholdGroupsPerHost=10"]);
        await app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await harness.AssertSpeaksItsProtocolAsync(app);
            var start = Events("threshold_keygen").First(e => e.Host.Id == "mac-b");
            var many = Enumerable.Range(0, 40).Select(i =>
            {
                var e = start.Clone();
                e.Event.Id = $"gen-{i}";
                e.Timestamp += i * 1_000_000_000L;
                e.Process.Name = $"gen-{i}";
                return e;
            }).ToArray();
            await harness.PublishAsync(many);
            await harness.Topics.WaitUntilCommittedAsync(harness.Topics.Manifest.ConsumerGroup("correlator", CorrelatorHarness.Analytic).Name, Patience);

            var groups = (await KeysAsync("*{mac-b}:thr:*")).Where(k => !k.EndsWith(":groups", StringComparison.Ordinal)).ToList();
            Assert.InRange(groups.Count, 1, 10);
            Assert.True(app.Services.GetRequiredService<CorrelatorMetrics>().StateEvictions.WithLabels(CorrelatorHarness.Analytic, "b7b0d1a2-4c55-4f0e-9a51-0000000000a3").Value >= 30);
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
            folder.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@":fleet:\{[^}]+\}:thr:")]
    private static partial Regex FleetKey();

    private async Task<List<string>> KeysAsync(string pattern)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Redis.Endpoint);
        return redis.GetServers()[0].Keys(pattern: pattern).Select(k => (string)k!).ToList();
    }
}
