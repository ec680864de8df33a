using Vigil.Contracts.Alerts;
using Vigil.Correlator.UnitTests.Support;
using Vigil.Detection;
using Vigil.Messaging;

namespace Vigil.Correlator.UnitTests;

public sealed class AlertOutboxTests
{
    private const string Producer = "correlator/route-tests";

    private readonly AnalyticPack pack = RoutePack.Load();
    private readonly AlertTopic topic = new();
    private readonly RememberingMemory memory = new();

    [Fact]
    public async Task AnAlertPublishedWhenTheProcessDiedBeforeItsCommitIsRememberedButNotPublishedByTheNextOwner()
    {
        var first = await StartAsync();
        memory.FailRemember = true;
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await first.PublishOnceAsync([Sequence("a1", "mac-1")], [0], CancellationToken.None));
        Assert.Single(topic.Records);
        memory.FailRemember = false;

        // The next owner of partition 0 recovers from the checkpoint the first owner saved at assignment.
        var next = await StartAsync();
        var result = await next.PublishOnceAsync([Sequence("a1", "mac-1"), Sequence("a2", "mac-1")], [0], CancellationToken.None);

        Assert.Equal(["a1", "a2"], topic.Records.Select(a => a.Id));
        Assert.Equal(["a2"], result.Published.Select(a => a.Id));
        Assert.Equal([("a1", AlertDrop.Duplicate)], result.Dropped.Select(d => (d.Alert.Id, d.Why)));
        Assert.Contains("a1", memory.Remembered);
        Assert.Equal(2, memory.Checkpoints[0][0]);
    }

    [Fact]
    public async Task ABatchRetriedInTheSameProcessAfterAFailedCommitRemembersItsAlertsWithoutPublishingThemAgain()
    {
        var outbox = await StartAsync();
        memory.FailRemember = true;
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await outbox.PublishOnceAsync([Sequence("a1", "mac-1")], [0], CancellationToken.None));
        memory.FailRemember = false;

        var retry = await outbox.PublishOnceAsync([Sequence("a1", "mac-1")], [0], CancellationToken.None);

        Assert.Empty(retry.Published);
        Assert.Single(topic.Records);
        Assert.Contains("a1", memory.Remembered);
    }

    [Fact]
    public async Task TheFirstAlertOfAGroupInABatchOpensItsWindowAndTheRestOfTheBatchIsSuppressedAndCounted()
    {
        var outbox = await StartAsync();

        var result = await outbox.PublishOnceAsync([Suppressed("b1", "mac-1"), Suppressed("b2", "mac-1"), Suppressed("b3", "mac-2"), Suppressed("b4", "mac-1")], [0], CancellationToken.None);

        Assert.Equal(["b1", "b3"], result.Published.Select(a => a.Id));
        Assert.Equal([("b2", AlertDrop.Suppressed), ("b4", AlertDrop.Suppressed)], result.Dropped.Select(d => (d.Alert.Id, d.Why)));
        Assert.Equal(2, memory.Windows[(pack.SingleEvent().RuleId, "mac-1")]);
        Assert.Equal(0, memory.Windows[(pack.SingleEvent().RuleId, "mac-2")]);
    }

    [Fact]
    public async Task AnIdTwiceInOneBatchIsPublishedOnceAndAnIdRememberedEarlierNotAtAll()
    {
        var outbox = await StartAsync();
        memory.Remembered.Add("old");

        var result = await outbox.PublishOnceAsync([Sequence("new", "mac-1"), Sequence("new", "mac-1"), Sequence("old", "mac-1")], [0], CancellationToken.None);

        Assert.Equal(["new"], topic.Records.Select(a => a.Id));
        Assert.Equal([AlertDrop.Duplicate, AlertDrop.Duplicate], result.Dropped.Select(d => d.Why));
    }

    [Fact]
    public async Task AlertsWithoutARuleMemoryAreStillPublishedOnceByTheProcess()
    {
        var outbox = new AlertOutbox(topic, new PublishedAlertLog(topic, TopicManifest.LoadDefault(), "baseline/tests"));
        await outbox.InitializeAsync(CancellationToken.None);
        var alert = Alert("c1", "mac-1");

        var first = await outbox.PublishOnceAsync([alert], CancellationToken.None);
        var again = await outbox.PublishOnceAsync([alert], CancellationToken.None);

        Assert.Single(first);
        Assert.Empty(again);
        Assert.Single(topic.Records);
    }

    [Fact]
    public void TheBacktestGoesThroughTheSameOutboxAndCountsWhatItSuppresses()
    {
        var backtest = new Backtest(pack.Rules, new AlertFactory(TimeProvider.System, "tests"));

        var alerts = new[]
        {
            Telemetry.Shell("mac-1", Telemetry.T0, "s1"),
            Telemetry.Shell("mac-1", Telemetry.T0 + Telemetry.Seconds(60), "s2"),
            Telemetry.Shell("mac-1", Telemetry.T0 + Telemetry.Seconds(700), "s3"),
        }.SelectMany(backtest.Process).Concat(backtest.Finish()).Where(a => a.Rule.Id == pack.SingleEvent().RuleId).ToList();

        Assert.Equal(2, alerts.Count);
        Assert.Equal(1, backtest.Counts.Suppressed);
        Assert.Equal(1, backtest.SuppressedCounts[alerts[0].Id]);
    }

    private async Task<AlertOutbox> StartAsync()
    {
        var log = new PublishedAlertLog(topic, TopicManifest.LoadDefault(), Producer);
        var outbox = new AlertOutbox(topic, log, memory);
        // As the correlator does at assignment of partition 0.
        await outbox.TakeOverAsync([0], memory, CancellationToken.None);
        return outbox;
    }

    private PendingAlert Sequence(string id, string host) => new(pack.Sequence(), Alert(id, host), null);

    private PendingAlert Suppressed(string id, string host) => new(pack.SingleEvent(), Alert(id, host), host);

    private static Alert Alert(string id, string host) => new()
    {
        Id = id,
        Producer = Producer,
        Host = new Vigil.Contracts.Telemetry.Host { Id = host },
        Rule = new Vigil.Contracts.Alerts.Rule { Id = "r" },
    };
}
