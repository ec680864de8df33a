using Vigil.Contracts.Telemetry;
using Vigil.Detection.UnitTests.Support;

namespace Vigil.Detection.UnitTests;

/// <summary>The backtest's decisions on a small rule: alert ids, exceptions, duplicates and suppression windows on event time.</summary>
public sealed class BacktestTests
{
    private const string Rule = """
        [rule]
        description = "curl execs, then connects."
        language = "eql"
        name = "Curl connects"
        risk_score = 21
        rule_id = "5e0b5c0e-0000-4000-8000-00000000c0de"
        severity = "low"
        type = "eql"
        query = '''
        sequence by host.id, process.entity_id with maxspan=10s
          [process where event.action == "exec" and process.name == "curl"]
          [network where event.type == "start"]
        '''

        [rule.alert_suppression]
        group_by = ["host.id", "process.entity_id"]
        duration = { value = 1, unit = "m" }

        [vigil]
        lateness = "1s"

        [[vigil.exception]]
        description = "The package mirror"
        destination_domain = "mirror.corp.example"
        """;

    private static readonly DateTimeOffset Start = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnAlertIdIsTheRuleAndItsEvidenceIdsAndNamesTheEvidenceInStepOrder()
    {
        using var folder = new RuleFolder("test", Rule);
        var events = Download("a", "p1", at: 0, domain: "evil.example");

        var alert = Assert.Single(RulePacks.Detect(folder.Pack.Rules, events));

        Assert.Equal(["a-exec", "a-net"], alert.EvidenceIds());
        Assert.Equal(AlertFactory.AlertId("5e0b5c0e-0000-4000-8000-00000000c0de", ["a-exec", "a-net"]), alert.Id);
        Assert.Equal("TEST", alert.Rule.AnalyticId);
        Assert.Contains(alert.JoinKeys, k => k.Field == "process.entity_id" && k.Value == "p1");
    }

    [Fact]
    public void AnEventAnExceptionRemovesIsCountedAndNeverMatches()
    {
        using var folder = new RuleFolder("test", Rule);

        var (alerts, counts) = RulePacks.Run(folder.Pack.Rules, Download("a", "p1", at: 0, domain: "mirror.corp.example"));

        Assert.Empty(alerts);
        Assert.Equal((0, 1), (counts.Matches, counts.ExceptedEvents));
        Assert.Equal(1, counts.ExceptedByException["Curl connects: [vigil] The package mirror"]);
    }

    [Fact]
    public void AlertsOfOneSuppressionGroupInsideTheDurationAreSuppressedAndCountedOnTheFirst()
    {
        using var folder = new RuleFolder("test", Rule);
        var events = Download("a", "p1", at: 0, domain: "evil.example")
            .Concat(Download("b", "p1", at: 30, domain: "evil.example"))   // same process, 30 s later: suppressed
            .Concat(Download("c", "p2", at: 40, domain: "evil.example"))   // another process: its own window
            .Concat(Download("d", "p1", at: 61, domain: "evil.example"));  // more than 1 m after the first alert

        var backtest = new Backtest(folder.Pack.Rules, new AlertFactory(TimeProvider.System, "tests"));
        var alerts = events.SelectMany(backtest.Process).ToList();
        alerts.AddRange(backtest.Finish());

        Assert.Equal(["a-exec", "c-exec", "d-exec"], alerts.Select(a => a.EvidenceIds()[0]));
        Assert.Equal((1, 0), (backtest.Counts.Suppressed, backtest.Counts.Repeats));
        Assert.Equal(1, backtest.SuppressedCounts[alerts[0].Id]);
    }

    [Fact]
    public void EventsOutOfOrderWithinTheLatenessGiveTheAlertsOfTheSortedStream()
    {
        using var folder = new RuleFolder("test", Rule);
        var sorted = Download("a", "p1", at: 0, domain: "evil.example").Concat(Download("b", "p2", at: 5, domain: "evil.example")).ToList();
        var shuffled = new[] { sorted[1], sorted[0], sorted[3], sorted[2] };

        Assert.Equal(
            RulePacks.Detect(folder.Pack.Rules, sorted).Select(a => a.Id),
            RulePacks.Detect(folder.Pack.Rules, shuffled).Select(a => a.Id));
    }

    /// <summary>curl's exec and, half a second later, its connection to <paramref name="domain"/>, on one host.</summary>
    private static TelemetryEvent[] Download(string id, string entityId, int at, string domain)
    {
        var time = Start.AddSeconds(at);
        return
        [
            Event($"{id}-exec", time, "process", "start", "exec", entityId),
            Event($"{id}-net", time.AddMilliseconds(500), "network", "start", "connection_attempted", entityId, domain),
        ];
    }

    private static TelemetryEvent Event(string id, DateTimeOffset time, string category, string type, string action, string entityId, string? domain = null)
    {
        var e = new TelemetryEvent
        {
            Timestamp = time.ToUnixTimeMilliseconds() * 1_000_000,
            Event = new Event { Id = id, Category = { category }, Type = { type }, Action = action },
            Host = new Host { Id = "host-1", Name = "mac-1" },
            Process = new Process { EntityId = entityId, Name = "curl", Executable = "/usr/bin/curl" },
        };
        if (domain is not null)
        {
            e.Destination = new Endpoint { Domain = domain, Ip = "203.0.113.7", Port = 443 };
        }

        return e;
    }
}
