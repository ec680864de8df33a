using Vigil.Baseline.Alerts;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.UnitTests;

public sealed class BaselineDetectorTests
{
    private static readonly BaselineOptions Options = QuickLearningOptions();

    private readonly BaselineTelemetry mac = new("mac-1");
    private readonly ProcessChainCache chains = new(1000);
    private readonly BaselineDetector detector;
    private long offset;

    public BaselineDetectorTests()
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds((Start / 1_000_000) + 3_600_000));
        detector = new BaselineDetector(Options, new BaselineAlertBuilder(Options, clock, "baseline/test"), chains, clock);
    }

    [Fact]
    public void AMatureImageAlertsOnANewProtocolAndDoesNotLearnIt()
    {
        var agent = SyncAgent("p1");
        var profile = Mature(agent);

        var result = Evaluate(profile, mac.Connect(agent, Start + Minute, "ftp", 21, "198.51.100.7"));

        var alert = Assert.Single(result.Detections).Alert;
        Assert.Equal(BaselineRules.NewProtocolId, alert.Rule.Id);
        Assert.Equal("medium", alert.Rule.Severity);
        Assert.Contains(alert.Observations, o => o.Name == "network.protocol" && o.Observed == "tcp/ftp/well-known" && o.Expected.Contains("tcp/https/well-known"));
        var update = Assert.Single(result.Updates);
        Assert.Empty(update.Contribution.Protocols);
        Assert.Equal(0, update.Contribution.Observations);
        Assert.Equal(1, update.State.Protocols["tcp/ftp/well-known"]);
    }

    [Fact]
    public void ALearningImageLearnsANewProtocolWithoutAlerting()
    {
        var agent = SyncAgent("p1");

        var result = Evaluate(ProfileSnapshot.Empty(ProcessImageResolver.Resolve(agent)!), mac.Connect(agent, Start + Minute, "ftp", 21, "198.51.100.7"));

        Assert.Empty(result.Detections);
        var update = Assert.Single(result.Updates);
        Assert.Equal(1, update.Contribution.Protocols["tcp/ftp/well-known"].Count);
        Assert.Contains("198.51.100.7:21", update.Contribution.Destinations);
    }

    [Fact]
    public void TheSameNewProtocolOnTheSameHostAlertsOnceWithinTheSuppressionWindow()
    {
        var agent = SyncAgent("p1");
        var profile = Mature(agent);

        var result = Evaluate(profile,
            mac.Connect(agent, Start + Minute, "ftp", 21, "198.51.100.7"),
            mac.Disconnect(agent, Start + Minute + Second, 5_000, 300, "ftp", 21, "198.51.100.7"),
            mac.Connect(agent, Start + (2 * Minute), "ftp", 21, "198.51.100.7"));

        Assert.Single(result.Detections);
        Assert.Equal(2, result.Suppressed);
    }

    [Fact]
    public void RecordsAtOrBelowTheHostViewsWatermarkAreNotCountedAgain()
    {
        var agent = SyncAgent("p1");
        var image = ProcessImageResolver.Resolve(agent)!;
        var events = new[] { mac.Connect(agent, Start), mac.Connect(agent, Start + Second), mac.Connect(agent, Start + (2 * Second)) };
        var first = Evaluate(ProfileSnapshot.Empty(image), events);
        var applied = Assert.Single(first.Updates);

        offset = 1;
        var replay = Evaluate(ProfileSnapshot.Empty(image), applied.State, events[1..]);

        Assert.Equal(2, replay.Replayed);
        Assert.Empty(replay.Updates);
    }

    [Fact]
    public void AutomationDrivingCurlRaisesTheSeverity()
    {
        var zsh = Apple("z1", "zsh", "/bin/zsh");
        var osascript = Apple("o1", "osascript", "/usr/bin/osascript", zsh);
        var sh = Apple("s1", "sh", "/bin/sh", osascript, osascript);
        var curl = Apple("c1", "curl", "/usr/bin/curl", sh, osascript);
        foreach (var process in new[] { zsh, osascript, sh, curl })
        {
            chains.Remember(mac.Exec(process, Start));
        }

        var result = Evaluate(Mature(curl), mac.Connect(curl, Start + Minute, "ftp", 21, "198.51.100.7"));

        var alert = Assert.Single(result.Detections).Alert;
        Assert.Equal("high", alert.Rule.Severity);
        Assert.Contains("driven by osascript", alert.Reason);
        Assert.Contains(alert.Observations, o => o.Name == "process chain" && o.Observed == "curl ← sh ← osascript ← zsh");
    }

    [Fact]
    public void AModerateSpikeInOneBucketDoesNotAlertButThreeAnomalousBucketsOfFiveDo()
    {
        var agent = SyncAgent("p1");
        var profile = Mature(agent);
        var state = HostImageState.Empty(Options.PersistenceWindow);
        var bucket = 10 * Second;

        // Typical ~2.4 KB with σ 0.5 in log space: 60 KB is ~6σ out, past the 4σ threshold but short of the extreme 8σ.
        var moderate = 60_000L;
        var spike = Evaluate(profile, state, mac.Disconnect(agent, Start + (100 * bucket), moderate, 1_000));
        Assert.Empty(spike.Detections);

        state = Assert.Single(spike.Updates).State;
        var normal = Evaluate(profile, state, mac.Disconnect(agent, Start + (101 * bucket), 2_000, 1_000));
        Assert.Empty(normal.Detections);

        state = Assert.Single(normal.Updates).State;
        var second = Evaluate(profile, state, mac.Disconnect(agent, Start + (102 * bucket), moderate, 1_000));
        Assert.Empty(second.Detections);

        state = Assert.Single(second.Updates).State;
        var third = Evaluate(profile, state, mac.Disconnect(agent, Start + (104 * bucket), moderate, 1_000));
        var alert = Assert.Single(third.Detections).Alert;
        Assert.Equal(BaselineRules.VolumeId, alert.Rule.Id);
        Assert.Contains(alert.Observations, o => o.Name == "anomalous buckets" && o.Observed == "3 of the last 5");
    }

    [Fact]
    public void AnExtremeVolumeAlertsInASingleBucket()
    {
        var agent = SyncAgent("p1");

        var result = Evaluate(Mature(agent), mac.Disconnect(agent, Start + Minute, 80_000_000, 2_000));

        var alert = Assert.Single(result.Detections).Alert;
        Assert.Equal(BaselineRules.VolumeId, alert.Rule.Id);
        Assert.Contains("σ above its baseline in one bucket", alert.Reason);
        Assert.Equal(0, Assert.Single(result.Updates).Contribution.Connections);
    }

    [Fact]
    public void ProcessChainsFollowRememberedAncestorsPastTheParentAnEventNames()
    {
        var runner = Apple("r1", "com.apple.Automator.xpc.workflowServiceRunner",
            "/System/Library/Frameworks/Automator.framework/Versions/A/XPCServices/com.apple.Automator.xpc.workflowServiceRunner.xpc/Contents/MacOS/com.apple.Automator.xpc.workflowServiceRunner");
        var sh = Apple("s1", "sh", "/bin/sh", runner);
        var python = Apple("y1", "python3", "/usr/bin/python3", sh);
        chains.Remember(mac.Exec(runner, Start));
        chains.Remember(mac.Exec(sh, Start));

        var chain = ProcessChain.Of(mac.Connect(python, Start, "", 4444, "198.51.100.9"), chains);

        Assert.Equal(["python3", "sh", "com.apple.Automator.xpc.workflowServiceRunner"], chain.Links.Select(l => l.Name));
        Assert.True(chain.IsAutomationDriving(ProtocolSignature.Of("tcp", "", 4444)));
    }

    [Fact]
    public void ABatchWhoseGroupsTheHandlerFoundIsEvaluatedAsTheDetectorGroupsItItself()
    {
        var agent = SyncAgent("p1");
        var curl = Apple("c1", "curl", "/usr/bin/curl");
        var other = new BaselineTelemetry("mac-2");
        var events = new[]
        {
            mac.Connect(agent, Start), other.Connect(curl, Start + Second), mac.Connect(curl, Start + (2 * Second), "ftp", 21, "198.51.100.7"),
            other.Connect(agent, Start + (3 * Second)), mac.Disconnect(agent, Start + (4 * Second), 5_000, 1_000), other.Connect(curl, Start + (5 * Second)),
        };
        var observations = events
            .Select((e, i) => new ConsumedRecord<TelemetryEvent>("telemetry", 0, i, e.Host.Id, DateTimeOffset.UnixEpoch, e))
            .Select(r => NetworkObservation.From(r)!.Value)
            .ToList();
        var profiles = new Dictionary<string, ProfileSnapshot> { [observations[0].Image.Tag] = Mature(agent), [observations[1].Image.Tag] = Mature(curl) };
        var groupKeys = observations.Select(o => (o.Image, o.HostId)).Distinct().ToList();
        var groupOf = observations.Select(o => groupKeys.IndexOf((o.Image, o.HostId))).ToList();
        Dictionary<(string, string), HostImageState> Views() => groupKeys.ToDictionary(k => (k.Image.Tag, k.HostId), _ => HostImageState.Empty(Options.PersistenceWindow));

        var itself = detector.Evaluate(observations, profiles, Views());
        var given = detector.Evaluate(observations, profiles, Views(), new DetectorScratch(), groupOf, groupKeys);

        Assert.Equal(4, given.Updates.Count);
        Assert.Equal(
            itself.Updates.Select(u => (u.Image.Tag, u.HostId, u.NewWatermark, u.State.ToDocument(), u.Contribution.Observations, u.Contribution.Connections)),
            given.Updates.Select(u => (u.Image.Tag, u.HostId, u.NewWatermark, u.State.ToDocument(), u.Contribution.Observations, u.Contribution.Connections)));
        Assert.Equal(itself.Detections.Select(d => d.Alert.Id), given.Detections.Select(d => d.Alert.Id));
        Assert.NotEmpty(given.Detections);
    }

    [Fact]
    public void BatchesEvaluatedOneAfterAnotherWithTheHandlersScratchGetTheUpdatesEachWouldGetAlone()
    {
        var agent = SyncAgent("p1");
        var curl = Apple("c1", "curl", "/usr/bin/curl");
        var other = new BaselineTelemetry("mac-2");
        var first = Observations(0, mac.Connect(agent, Start), other.Connect(curl, Start + Second), mac.Connect(curl, Start + (2 * Second)));
        var second = Observations(3, other.Connect(agent, Start + (3 * Second)), mac.Disconnect(agent, Start + (4 * Second), 5_000, 1_000));
        var profiles = new Dictionary<string, ProfileSnapshot> { [first[0].Image.Tag] = Mature(agent), [first[1].Image.Tag] = Mature(curl) };
        var scratch = new DetectorScratch();
        static string Describe(HostUpdate u) => $"{u.Image.Tag} {u.HostId} {u.NewWatermark} {u.State.ToDocument()} {u.Contribution.Observations} {u.Contribution.Connections} {u.ExpectedText} {u.ExpectedMark}";

        var firstAlone = detector.Evaluate(first, profiles, Views(first)).Updates.Select(Describe).ToList();
        var secondAlone = detector.Evaluate(second, profiles, StoredViews(second)).Updates.Select(Describe).ToList();
        var firstShared = detector.Evaluate(first, profiles, Views(first), scratch).Updates;
        var firstDescribed = firstShared.Select(Describe).ToList();
        var firstObjects = firstShared.ToList();

        // The handler forgets a batch's updates once the batch is committed.
        scratch.ForgetUpdates();
        var secondShared = detector.Evaluate(second, profiles, StoredViews(second), scratch).Updates;

        Assert.Equal(firstAlone, firstDescribed);
        Assert.Equal(secondAlone, secondShared.Select(Describe));
        Assert.Equal(3, firstAlone.Count);
        Assert.Equal(2, secondAlone.Count);

        Assert.Contains(secondShared, u => u.ExpectedText == "telemetry:0:1");
        Assert.Contains(secondShared, u => u.ExpectedText is null && u.ExpectedMark == new Watermark("telemetry", 0, 2));

        // The second batch made the first's (committed) update objects over rather than allocating its own.
        Assert.All(secondShared, u => Assert.Contains(u, firstObjects));

        List<NetworkObservation> Observations(int offset, params TelemetryEvent[] events) =>
        [
            .. events
                .Select((e, i) => new ConsumedRecord<TelemetryEvent>("telemetry", 0, offset + i, e.Host.Id, DateTimeOffset.UnixEpoch, e))
                .Select(r => NetworkObservation.From(r)!.Value),
        ];

        static Dictionary<(string, string), HostImageState> Views(List<NetworkObservation> batch) =>
            batch.Select(o => (o.Image.Tag, o.HostId)).Distinct().ToDictionary(k => k, _ => HostImageState.Empty(Options.PersistenceWindow));

        // The second batch's views as Redis holds them: one read with its watermark's text, one this process wrote last,
        // so the compare-and-set each update carries differs from the first batch's (nothing stored yet).
        static Dictionary<(string, string), HostImageState> StoredViews(List<NetworkObservation> batch)
        {
            var views = Views(batch);
            var (read, written) = (views.Values.First(), views.Values.Last());
            read.StoredWatermark = "telemetry:0:1";
            written.Stored(new Watermark("telemetry", 0, 2));
            return views;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void AHostsAlertsAgainstTheSameProfileDoNotDependOnHowItsEventsAreSplitIntoBatches(int batchSize)
    {
        // What a host's view carries from batch to batch (the current bucket's bytes, the k-of-n history, the episode,
        // suppressions) follows event time in the host's order: cut anywhere, the same events raise the same alerts.
        var agent = SyncAgent("p1");
        var profile = Mature(agent);
        var bucket = 10 * Second;
        var events = new List<TelemetryEvent>();
        foreach (var b in new[] { 100, 102, 104 })
        {
            // ~3.6σ each, ~5σ from the second on: anomalous only as the bucket's sum.
            events.Add(mac.Disconnect(agent, Start + (b * bucket), 15_000, 1_000));
            events.Add(mac.Disconnect(agent, Start + (b * bucket) + Second, 15_000, 1_000));
            events.Add(mac.Disconnect(agent, Start + (b * bucket) + (2 * Second), 15_000, 1_000));
            events.Add(mac.Disconnect(agent, Start + ((b + 1) * bucket), 2_000, 1_000));
        }

        events.Add(mac.Connect(agent, Start + (105 * bucket), "ftp", 21, "198.51.100.7"));
        events.Add(mac.Connect(agent, Start + (106 * bucket), "ftp", 21, "198.51.100.7"));
        foreach (var b in Enumerable.Range(107, 6))
        {
            events.Add(mac.Disconnect(agent, Start + (b * bucket), 2_000, 1_000));
        }

        events.Add(mac.Disconnect(agent, Start + (113 * bucket), 80_000_000, 2_000));
        var observations = events
            .Select((e, i) => new ConsumedRecord<TelemetryEvent>("telemetry", 0, i, e.Host.Id, DateTimeOffset.UnixEpoch, e))
            .Select(r => NetworkObservation.From(r)!.Value)
            .ToList();

        (List<string> Alerts, string View) Run(int size)
        {
            var state = HostImageState.Empty(Options.PersistenceWindow);
            var alerts = new List<string>();
            foreach (var batch in observations.Chunk(size))
            {
                var result = detector.Evaluate(batch, new Dictionary<string, ProfileSnapshot> { [profile.Image.Tag] = profile }, new Dictionary<(string, string), HostImageState> { [(profile.Image.Tag, mac.HostId)] = state });
                alerts.AddRange(result.Detections.Select(d => $"{d.Alert.Rule.Id} {d.Alert.Id}"));
                state = Assert.Single(result.Updates).State;
            }

            return (alerts, state.ToDocument());
        }

        var whole = Run(observations.Count);
        Assert.Equal([BaselineRules.VolumeId, BaselineRules.NewProtocolId, BaselineRules.VolumeId], whole.Alerts.Select(a => a.Split(' ')[0]));
        var split = Run(batchSize);
        Assert.Equal(whole.Alerts, split.Alerts);
        Assert.Equal(whole.View, split.View);
    }

    private ProfileSnapshot Mature(Process process)
    {
        var typical = Enumerable.Range(0, 100).Select(i => 2_000L + (i % 7 * 150)).Aggregate(LogVolumeStatistics.Empty, (s, v) => s.Add(v));
        var spread = new LogVolumeStatistics(100, typical.Mean, 99 * 0.25);
        return ProfileSnapshot.Empty(ProcessImageResolver.Resolve(process)!) with
        {
            FirstSeen = Start - (60 * Minute),
            LastSeen = Start,
            MaturedAt = Start - Minute,
            Observations = 500,
            Connections = 250,
            Protocols = new Dictionary<string, ProtocolCount>
            {
                ["tcp/https/well-known"] = new(400, Start - (60 * Minute)),
                ["udp/dns/well-known"] = new(100, Start - (60 * Minute)),
            },
            SentPerConnection = spread,
            ReceivedPerConnection = spread,
            SentPerBucket = spread,
            ReceivedPerBucket = spread,
        };
    }

    private BatchEvaluation Evaluate(ProfileSnapshot profile, params TelemetryEvent[] events) =>
        Evaluate(profile, HostImageState.Empty(Options.PersistenceWindow), events);

    private BatchEvaluation Evaluate(ProfileSnapshot profile, HostImageState state, params TelemetryEvent[] events)
    {
        var observations = events
            .Select(e => new ConsumedRecord<TelemetryEvent>("telemetry", 0, offset++, e.Host.Id, DateTimeOffset.UnixEpoch, e))
            .Select(r => NetworkObservation.From(r)!.Value)
            .ToList();
        var tag = profile.Image.Tag;
        return detector.Evaluate(observations, new Dictionary<string, ProfileSnapshot> { [tag] = profile }, new Dictionary<(string, string), HostImageState> { [(tag, mac.HostId)] = state });
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
