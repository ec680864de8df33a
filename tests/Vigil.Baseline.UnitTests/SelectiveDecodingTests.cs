using Google.Protobuf;
using Vigil.Baseline.Alerts;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;
using Vigil.Messaging;
using static Vigil.Baseline.UnitTests.BaselineTelemetry;

namespace Vigil.Baseline.UnitTests;

/// <summary>
/// The baseline decodes only <see cref="BaselineHandler.FieldsRead"/> and completes an event only when an alert
/// carries it: what it learns and what it alerts must be what the whole event would have given.
/// </summary>
public sealed class SelectiveDecodingTests
{
    private static readonly BaselineOptions Options = QuickLearningOptions();

    private readonly SelectiveTelemetryParser parser = new(FieldSelection.Of(TelemetryEvent.Descriptor, BaselineHandler.FieldsRead));

    [Fact]
    public async Task EveryEventOfASimulatedFleetMakesTheSameObservationAndChainLinkFromTheSelectedFields()
    {
        var sink = new ListSink();
        await new FleetSimulation(new FleetSimulationOptions { Seed = 7, Hosts = 50, EventsPerSecond = 500, MaxEvents = 20_000 }).RunAsync(sink, TestContext.Current.CancellationToken);
        var observations = 0;
        for (var i = 0; i < sink.Events.Count; i++)
        {
            var full = sink.Events[i];
            var partial = parser.Parse(full.ToByteArray());
            Assert.True(partial.IsPartial);
            var expected = NetworkObservation.From(Record(i, full));
            var actual = NetworkObservation.From(Record(i, partial));
            Assert.Equal(Describe(expected), Describe(actual));
            observations += expected is null ? 0 : 1;
            if (full.Process is { } process)
            {
                Assert.Equal(ProcessChainCache.LinkOf(process), ProcessChainCache.LinkOf(partial.Process));
            }

            if (i % 1000 == 999)
            {
                parser.ReleasePayloads();
            }
        }

        Assert.True(observations > 5_000, $"only {observations} network observations: the workload tests little");
    }

    [Fact]
    public void ANewProtocolAlertFromSelectivelyDecodedEventsIsTheAlertOfTheWholeEventsAndCarriesThemWhole()
    {
        var mac = new BaselineTelemetry("mac-1");
        var zsh = Apple("z1", "zsh", "/bin/zsh");
        var osascript = Apple("o1", "osascript", "/usr/bin/osascript", zsh);
        var sh = Apple("s1", "sh", "/bin/sh", osascript, osascript);
        var curl = Apple("c1", "curl", "/usr/bin/curl", sh, osascript);
        var events = new[] { zsh, osascript, sh, curl }.Select(p => mac.Exec(p, Start))
            .Append(mac.Connect(curl, Start + Minute, "https"))
            .Append(mac.Connect(curl, Start + Minute + Second, "ftp", 21, "198.51.100.7"))
            .ToList();

        var (expected, _) = Run(events, Mature(curl));
        var (actual, evidence) = Run([.. events.Select(e => parser.Parse(e.ToByteArray()))], Mature(curl));

        var alert = Assert.Single(actual.Detections).Alert;
        Assert.Equal("high", alert.Rule.Severity);
        Assert.Equal(Bytes(expected), Bytes(actual));
        Assert.All(evidence, e => Assert.False(e.IsPartial));
        Assert.Equal(events[^1], alert.Evidence.Single().Event);
        parser.ReleasePayloads();
    }

    [Fact]
    public void AVolumeAlertFromSelectivelyDecodedEventsIsTheAlertOfTheWholeEventsAndCarriesThemWhole()
    {
        var mac = new BaselineTelemetry("mac-1");
        var agent = SyncAgent("p1");
        var bucket = 10 * Second;
        var events = new[] { 100, 101, 102, 104 }
            .Select(b => mac.Disconnect(agent, Start + (b * bucket), b == 101 ? 2_000 : 60_000, 1_000))
            .ToList();

        var (expected, _) = Run(events, Mature(agent));
        var (actual, evidence) = Run([.. events.Select(e => parser.Parse(e.ToByteArray()))], Mature(agent));

        var alert = Assert.Single(actual.Detections).Alert;
        Assert.Equal(BaselineRules.VolumeId, alert.Rule.Id);
        Assert.Equal(Bytes(expected), Bytes(actual));
        Assert.All(evidence, e => Assert.False(e.IsPartial));
        Assert.Equal([events[0], events[2], events[3]], alert.Evidence.Select(e => e.Event));
        parser.ReleasePayloads();
    }

    /// <summary>The events through a fresh chain cache and detector, as one batch; the network events' decoded objects come back.</summary>
    private static (BatchEvaluation Evaluation, List<TelemetryEvent> Network) Run(IReadOnlyList<TelemetryEvent> events, ProfileSnapshot profile)
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds((Start / 1_000_000) + 3_600_000));
        var chains = new ProcessChainCache(1000);
        var detector = new BaselineDetector(Options, new BaselineAlertBuilder(Options, clock, "baseline/test"), chains, clock);
        var observations = new List<NetworkObservation>();
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Event.Category.Contains("process"))
            {
                chains.Remember(events[i]);
            }
            else if (NetworkObservation.From(Record(i, events[i])) is { } observation)
            {
                observations.Add(observation);
            }
        }

        var tag = profile.Image.Tag;
        var evaluation = detector.Evaluate(
            observations,
            new Dictionary<string, ProfileSnapshot> { [tag] = profile },
            new Dictionary<(string, string), HostImageState> { [(tag, "mac-1")] = HostImageState.Empty(Options.PersistenceWindow) });
        return (evaluation, [.. observations.Where(o => evaluation.Detections.Any(d => d.Alert.Evidence.Any(e => e.Event.Event.Id == o.EventId))).Select(o => o.Event)]);
    }

    private static List<string> Bytes(BatchEvaluation evaluation) =>
    [
        .. evaluation.Detections.Select(d => Convert.ToBase64String(d.Alert.ToByteArray()) + " " + Convert.ToBase64String(d.Explanation.ToByteArray())),
        .. evaluation.Updates.Select(u => $"{u.Image.Identity} {u.HostId} {u.NewWatermark} {u.State.ToDocument()} {u.Contribution.Observations} {u.Contribution.Connections} {u.Contribution.Alerts}"),
    ];

    private static ProfileSnapshot Mature(Process process)
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
            Protocols = new Dictionary<string, ProtocolCount> { ["tcp/https/well-known"] = new(400, Start - (60 * Minute)) },
            SentPerConnection = spread,
            ReceivedPerConnection = spread,
            SentPerBucket = spread,
            ReceivedPerBucket = spread,
        };
    }

    private static ConsumedRecord<TelemetryEvent> Record(int offset, TelemetryEvent e) =>
        new("telemetry", 0, offset, e.Host?.Id ?? string.Empty, DateTimeOffset.UnixEpoch, e);

    private static string Describe(NetworkObservation? observation) => observation is not { } o
        ? "none"
        : $"{o.Image} {o.HostId} {o.Kind} {o.Signature} {o.Destination} {o.BytesSent} {o.BytesReceived} {o.HasVolume} {o.EventId} {o.Timestamp}";

    private sealed class ListSink : ITelemetrySink
    {
        public List<TelemetryEvent> Events { get; } = [];

        public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
        {
            Events.AddRange(batch);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
