using Vigil.Detection;
using Vigil.Testing;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>The correlator on the real stack: embedded broker, a real redis-server, the installer-network rule.</summary>
public sealed class CorrelatorTests : RealStackTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    [Fact]
    public async Task AnInstallerShellThenCurlRaisesOneAlertWithTheFullEvidenceEvenWhenTheHostGoesQuiet()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "evidence");
        await harness.StartCorrelatorAsync();
        var shell = InstallerEvents.ShellFromInstaller("mac-1", InstallerEvents.T0, "e-shell");
        var curl = InstallerEvents.CurlConnection("mac-1", InstallerEvents.T0 + InstallerEvents.Seconds(4), "e-curl");

        // curl's connection is the host's last event: it is held for the lateness window, then released.
        await harness.PublishAsync(shell, curl);
        var alerts = harness.Alerts(1, Patience);

        var alert = Assert.Single(alerts);
        Assert.Equal(AlertFactory.AlertId("99239e7d-b0d4-46e3-8609-acafcf99f68c", ["e-shell", "e-curl"]), alert.Id);
        Assert.Equal("MacOS Installer Package Spawns Network Event", alert.Rule.Name);
        Assert.Equal("INSTALLER-NETWORK", alert.Rule.AnalyticId);
        Assert.Equal("medium", alert.Rule.Severity);
        Assert.Equal(47, alert.Rule.RiskScore);
        Assert.Contains("T1059.007", alert.Rule.Techniques);
        Assert.Contains("TA0011", alert.Rule.Tactics);
        Assert.Equal("mac-1", alert.Host.Id);
        Assert.Equal("root", alert.User.Name);
        Assert.Equal(InstallerEvents.T0, alert.FirstEventTime);
        Assert.Equal(InstallerEvents.T0 + InstallerEvents.Seconds(4), alert.LastEventTime);
        Assert.Equal([("host.id", "mac-1"), ("user.id", "0")], alert.JoinKeys.Select(k => (k.Field, k.Value)));
        Assert.Equal([shell, curl], alert.Evidence.Select(e => e.Event));
        Assert.Equal([0, 1], alert.Evidence.Select(e => e.Step));
        Assert.Contains("curl", alert.Reason);
        Assert.Contains("cdn.example", alert.Reason);
        Assert.Equal("correlator/installer-network", alert.Producer);
    }

    [Fact]
    public async Task EventsNoRuleCanUseCostNoRedisRoundTripAndAHostSeenBeforeCostsNoRead()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "norediscost");
        await harness.StartCorrelatorAsync();
        var noise = Enumerable.Range(0, 400).Select(i => InstallerEvents.FinderOpensAFile($"mac-{i % 20}", InstallerEvents.T0 + i, $"noise-{i}")).ToArray();
        await harness.PublishAsync(noise);
        await harness.PublishAsync(InstallerEvents.ShellFromInstaller("mac-7", InstallerEvents.T0 + InstallerEvents.Seconds(1), "s"));
        await harness.Topics.WaitUntilCommittedAsync(harness.Topics.Manifest.ConsumerGroups.Single(g => g.Service == "correlator").Name, Patience);
        await harness.PublishAsync(InstallerEvents.CurlConnection("mac-7", InstallerEvents.T0 + InstallerEvents.Seconds(2), "c"));

        Assert.Single(harness.Alerts(1, Patience));

        // 402 events: the 400 noise events read nothing. The sequence's state was read once, when mac-7 was first
        // seen: after that it lives in the correlator's memory (written through), for its next batch and its release.
        // A state read is one script that starts with TYPE (a hash of fields, or an earlier version's string).
        var calls = await Redis.CommandCallsAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, calls.GetValueOrDefault("type"));
    }

    [Fact]
    public async Task EventsArrivingOutOfOrderWithinTheLatenessStillMatch()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "reorder");
        await harness.StartCorrelatorAsync();

        // The network source reports before the process source: curl's connection arrives first.
        await harness.PublishAsync(InstallerEvents.CurlConnection("mac-2", InstallerEvents.T0 + InstallerEvents.Seconds(1), "c2"));
        await harness.PublishAsync(InstallerEvents.ShellFromInstaller("mac-2", InstallerEvents.T0, "s2"));

        var alert = Assert.Single(harness.Alerts(1, Patience));
        Assert.Equal(["s2", "c2"], alert.Evidence.Select(e => e.Event.Event.Id));
    }

    [Fact]
    public async Task ReplayingTheWholeTopicPublishesNoAlertIdTwice()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "replay");
        await harness.StartCorrelatorAsync();
        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-3", InstallerEvents.T0, "s3"),
            InstallerEvents.CurlConnection("mac-3", InstallerEvents.T0 + InstallerEvents.Seconds(1), "c3"));
        Assert.Single(harness.Alerts(1, Patience));

        // A second member under a fresh group id re-reads the topic from the start, as after lost offsets.
        var replay = $"replay-{Guid.NewGuid():N}";
        await harness.StartCorrelatorAsync(groupOverride: replay);
        await harness.PublishAsync(InstallerEvents.FinderOpensAFile("mac-3", InstallerEvents.T0 + InstallerEvents.Seconds(10), "later"));
        await harness.Topics.WaitUntilCommittedAsync(replay, Patience);

        Assert.Single(harness.Alerts(2, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task AnAlertPublishedButNotYetRememberedWhenTheCorrelatorDiedIsNotPublishedAgain()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "recover");
        var first = await harness.StartCorrelatorAsync();
        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-4", InstallerEvents.T0, "s4"),
            InstallerEvents.CurlConnection("mac-4", InstallerEvents.T0 + InstallerEvents.Seconds(1), "c4"));
        Assert.Single(harness.Alerts(1, Patience));
        await first.StopAsync(TestContext.Current.CancellationToken);

        // The crash window: Kafka acknowledged the alert, but the host's state and the alert's id never
        // reached Redis. A member reading from the start then re-derives the very same alert.
        await using (var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Redis.Endpoint))
        {
            var hostKeys = connection.GetServer(Redis.Endpoint).Keys(pattern: "vigil:{mac-4}:*").ToArray();
            Assert.Contains(hostKeys, k => k.ToString().Contains(":alert:", StringComparison.Ordinal));
            Assert.Equal(hostKeys.Length, await connection.GetDatabase().KeyDeleteAsync(hostKeys));
        }

        var recover = $"recover-{Guid.NewGuid():N}";
        await harness.StartCorrelatorAsync(groupOverride: recover);
        await harness.PublishAsync(InstallerEvents.FinderOpensAFile("mac-4", InstallerEvents.T0 + InstallerEvents.Seconds(10), "later4"));
        await harness.Topics.WaitUntilCommittedAsync(recover, Patience);

        Assert.Single(harness.Alerts(2, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task AMissingEventMatchIsPublishedOnceTheQuietHostsWindowHasPassedAndOnlyWithoutTheAbsentEvent()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "missing");
        var app = CorrelatorApp.Build(harness.Arguments(rules: Path.Combine(AppContext.BaseDirectory, "files", "missing_curl_pack")));
        await app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // mac-quiet: the installer's shell and nothing after it, so the match waits for its window (5 s after the
            // shell) to pass on the clock, then is published. mac-curl: curl connects 2 s later, so it never matches.
            await harness.PublishAsync(
                InstallerEvents.ShellFromInstaller("mac-quiet", InstallerEvents.T0, "s-quiet"),
                InstallerEvents.ShellFromInstaller("mac-curl", InstallerEvents.T0, "s-curl"),
                InstallerEvents.CurlConnection("mac-curl", InstallerEvents.T0 + InstallerEvents.Seconds(2), "c-curl"));

            var alerts = harness.Alerts(2, TimeSpan.FromSeconds(20));

            var alert = Assert.Single(alerts);
            Assert.Equal("mac-quiet", alert.Host.Id);
            Assert.Equal(AlertFactory.AlertId("5e0b5c0e-0000-4000-8000-0000000f00d5", ["s-quiet"]), alert.Id);
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnExceptionSuppressesTheMatchItNamesAndNothingElse()
    {
        await using var harness = await CorrelatorHarness.StartAsync(Broker, Redis, "exception");
        await harness.StartCorrelatorAsync();

        // The pack allows Jamf-driven installs that fetch from *.jamfcloud.com.
        await harness.PublishAsync(
            InstallerEvents.ShellFromInstaller("mac-jamf", InstallerEvents.T0, "sj", parentName: "installer", parentExecutable: "/usr/local/jamf/bin/jamf"),
            InstallerEvents.CurlConnection("mac-jamf", InstallerEvents.T0 + InstallerEvents.Seconds(1), "cj", domain: "acme.jamfcloud.com"),
            InstallerEvents.ShellFromInstaller("mac-other", InstallerEvents.T0, "so", parentName: "installer", parentExecutable: "/usr/local/jamf/bin/jamf"),
            InstallerEvents.CurlConnection("mac-other", InstallerEvents.T0 + InstallerEvents.Seconds(1), "co", domain: "jamfcloud.com.evil.example"));

        var alerts = harness.Alerts(2, TimeSpan.FromSeconds(15));
        var alert = Assert.Single(alerts);
        Assert.Equal("mac-other", alert.Host.Id);
    }
}
