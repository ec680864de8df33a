using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection.UnitTests.Support;

namespace Vigil.Detection.UnitTests;

/// <summary>
/// Every detection-rules type Vigil runs, backtested on the rule files and event timelines of files/rule_types: each
/// case lists the alerts its events must raise (evidence ids, in order); its other events must not alert.
/// </summary>
public sealed class RuleTypeTests
{
    public static TheoryData<string> Cases => new(RuleTypeCase.Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachRuleTypeRaisesExactlyTheAlertsItsTimelineCallsFor(string name)
    {
        var @case = RuleTypeCase.Load(name);

        var alerts = RulePacks.Detect(@case.Pack.Rules, @case.Events);

        Assert.Equal(@case.Expected, alerts.Select(a => string.Join(",", a.EvidenceIds())));
    }

    [Fact]
    public void AThresholdAlertReportsItsGroupCountAndWindow()
    {
        var @case = RuleTypeCase.Load("threshold_keygen");

        var alert = Assert.Single(RulePacks.Detect(@case.Pack.Rules, @case.Events));

        Assert.Equal("threshold", alert.Rule.Type);
        Assert.Equal(5, alert.ThresholdResult.Count);
        Assert.Equal([("host.id", "mac-a")], alert.ThresholdResult.Terms.Select(t => (t.Field, t.Value)));
        Assert.Equal(alert.Evidence[0].Event.Timestamp, alert.ThresholdResult.From);
        Assert.Equal("mac-a", alert.Host.Id);
        Assert.Contains("5 events for host.id=mac-a within 2m", alert.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AThresholdWithCardinalityReportsTheDistinctCount()
    {
        var @case = RuleTypeCase.Load("threshold_cardinality");

        var alert = Assert.Single(RulePacks.Detect(@case.Pack.Rules, @case.Events));

        Assert.Equal([("source.ip", "198.51.100.7")], alert.ThresholdResult.Terms.Select(t => (t.Field, t.Value)));
        Assert.Equal("user.name", Assert.Single(alert.ThresholdResult.Cardinality).Field);
        Assert.True(alert.ThresholdResult.Cardinality[0].Value >= 3);
    }

    [Fact]
    public void ANewTermsAlertNamesTheNewCombination()
    {
        var @case = RuleTypeCase.Load("new_terms_host_exec");

        var first = RulePacks.Detect(@case.Pack.Rules, @case.Events)[0];

        Assert.Equal([("host.id", "mac-1"), ("process.executable", "/private/tmp/.x/updater")], first.NewTerms.Select(t => (t.Field, t.Value)));
        Assert.Equal("new_terms", first.Rule.Type);
        Assert.Contains("not seen in the last 1d", first.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildingBlockVersionAndMaxSignalsAreHonoured()
    {
        var @case = RuleTypeCase.Load("query_metadata");

        var (alerts, counts) = RulePacks.Run(@case.Pack.Rules, @case.Events);

        Assert.All(alerts, a => Assert.Equal("default", a.Rule.BuildingBlockType));
        Assert.All(alerts, a => Assert.Equal(3, a.Rule.Version));
        Assert.Equal(1, counts.OverMaxSignals);
        var rule = @case.Pack.Rules[0].Rule;
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), (int?)2), (rule.Schedule.Interval, rule.Schedule.LookBack, rule.Schedule.MaxSignals));
        Assert.Equal(["endpoint"], rule.Metadata.Integrations);
        Assert.Equal(["process.args", "process.name"], rule.RequiredFields.Select(f => f.Name));
        Assert.Equal("endpoint", Assert.Single(rule.RelatedIntegrations).Package);
        Assert.Equal(2, rule.Revision);
        Assert.StartsWith("## Setup", rule.Setup, StringComparison.Ordinal);
    }

    [Fact]
    public void ThresholdAlertIdsAreTheSameOnAReplay()
    {
        var @case = RuleTypeCase.Load("threshold_fleet");

        var first = RulePacks.Detect(@case.Pack.Rules, @case.Events).Select(a => a.Id);
        var again = RulePacks.Detect(@case.Pack.Rules, @case.Events).Select(a => a.Id);

        Assert.Equal(first, again);
    }

    [Fact]
    public void ExceptionsFilterTheEventsAThresholdCounts()
    {
        var @case = RuleTypeCase.Load("threshold_keygen", vigil: """

            [vigil]
            [[vigil.exception]]
            description = "The lab host"
            user = "lab"
            """);
        var events = @case.Events.Select(e => e.Clone()).ToList();
        events.Where(e => e.Event.Id == "a3").Single().User = new User { Name = "lab" };

        var (alerts, counts) = RulePacks.Run(@case.Pack.Rules, events);

        // a3 is allowed, so host mac-a reaches 5 only with a6.
        Assert.Equal(["a1,a2,a4,a5,a6"], alerts.Select(a => string.Join(",", a.EvidenceIds())));
        Assert.Equal(1, counts.ExceptedEvents);
    }
}
