using Google.Protobuf;
using Vigil.Baseline;
using Vigil.Baseline.Identity;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Correlator;
using Vigil.Detection;
using Vigil.FleetSim;
using Vigil.Messaging;
using Vigil.Rules;
using Vigil.Testing;

namespace Vigil.SchemaRegistry.UnitTests;

/// <summary>
/// Over simulated fleets, every rule of every pack (the repository's packs and about 100 Elastic-shaped rules) decides
/// the same on a selectively decoded event as on the fully decoded one; the correlator's router hands on whole events;
/// alerts are byte for byte the same; and the baseline reads the same from the fields it selects.
/// </summary>
public sealed class SelectiveDecodingEquivalenceTests
{
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(2);
    private static readonly Lazy<(IReadOnlyList<AnalyticPack> Packs, List<byte[]> Records, List<TelemetryEvent> Events)> Workload = new(Build);

    [Fact]
    public void EveryRuleOfEveryPackDecidesTheSameOnTheSelectivelyDecodedEvent()
    {
        var (packs, records, events) = Workload.Value;
        var codec = new SelectiveTelemetryCodec(TelemetrySchemas.FieldsRead());
        var relevant = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var partial = codec.Decode(records[i]);
            Assert.True(partial.IsPartial);
            foreach (var pack in packs)
            {
                Assert.Equal(Positions(pack.Index.Candidates(events[i])), Positions(pack.Index.Candidates(partial)));
                foreach (var rule in pack.Rules)
                {
                    var full = rule.Admit(events[i], out var fullClassification, out var fullException);
                    var selective = rule.Admit(partial, out var classification, out var exception);
                    Assert.Equal((full, fullClassification, fullException?.Name), (selective, classification, exception?.Name));
                    relevant += full == RuleInput.Irrelevant ? 0 : 1;
                }
            }

            if (i % 1000 == 999)
            {
                codec.ReleaseBatch();
            }
        }

        Assert.True(relevant > 1000, $"only {relevant} (rule, event) pairs were relevant: the workload tests little");
    }

    [Fact]
    public void TheRouterHandsOnTheSameEventsAndAlertsAreByteForByteTheSame()
    {
        var (packs, records, events) = Workload.Value;
        var codec = new SelectiveTelemetryCodec(TelemetrySchemas.FieldsRead());
        var alertsSeen = 0;
        foreach (var pack in packs)
        {
            var router = new EventRouter(pack, new CorrelatorMetrics(IsolatedMetrics.Factory()));
            var backtest = new Backtest(pack.Rules, new AlertFactory(new FixedClock(), "equivalence"));
            var actual = new List<Alert>();
            for (var start = 0; start < records.Count; start += 500)
            {
                var count = Math.Min(500, records.Count - start);
                var decoded = Batch(records.Skip(start).Take(count).Select(r => codec.Decode(r)));
                var selective = router.Route(decoded);
                var full = router.Route(Batch(events.Skip(start).Take(count)));

                Assert.Equal(full.Work.Keys.ToList(), selective.Work.Keys.ToList());
                foreach (var (key, work) in selective.Work)
                {
                    // A sequence engine holds a partial event as its payload: decoded, it is the whole event.
                    Assert.Equal(full.Work[key].Events, work.Events.Select(e => e.IsPartial ? TelemetryEvent.Parser.ParseFrom(e.CopyPayload()) : e));
                    Assert.Equal(full.Work[key].Classifications, work.Classifications);
                }

                Assert.Equal(full.Aggregations.Select(a => (a.Rule.RuleId, a.Event)), selective.Aggregations.Select(a => (a.Rule.RuleId, a.Event)));
                Assert.Equal(full.Matches.Select(m => (m.Rule.RuleId, Evidence(m.Match.Events))), selective.Matches.Select(m => (m.Rule.RuleId, Evidence(m.Match.Events))));

                // Every event the way the route leaves it (whole where a rule could use it, partial where none could),
                // used before its batch is released, as a handler must.
                actual.AddRange(decoded.SelectMany(r => backtest.Process(r.Value)));
                codec.ReleaseBatch();
            }

            actual.AddRange(backtest.Finish());
            var expected = Backtest(pack, events);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].ToByteArray(), actual[i].ToByteArray());
            }

            alertsSeen += expected.Count;
        }

        Assert.True(alertsSeen > 0, "no pack alerted on the workload: byte-identical alerts were not tested");
    }

    [Fact]
    public void TheBaselineReadsTheSameFromTheFieldsItSelects()
    {
        var (_, records, events) = Workload.Value;
        var codec = new SelectiveTelemetryCodec(FieldSelection.Of(TelemetryEvent.Descriptor, BaselineHandler.FieldsRead));
        for (var i = 0; i < records.Count; i++)
        {
            var partial = codec.Decode(records[i]);
            var full = events[i];
            Assert.Equal(full.Event?.Category ?? [], partial.Event?.Category ?? []);
            Assert.Equal(full.Event?.Type ?? [], partial.Event?.Type ?? []);
            if (full.Process is { } process)
            {
                Assert.Equal(ProcessChainCache.LinkOf(process), ProcessChainCache.LinkOf(partial.Process));
                if (process.Parent is { } parent)
                {
                    Assert.Equal(ProcessChainCache.LinkOf(parent), ProcessChainCache.LinkOf(partial.Process.Parent));
                }
            }

            partial.Complete();
            Assert.Equal(full, partial);
            if (i % 1000 == 999)
            {
                codec.ReleaseBatch();
            }
        }
    }

    [Fact]
    public void EverySelectedFieldHoldsTheFullParsesValueWhileMessagesAreReusedAndKeptEventsStayTheirOwn()
    {
        var (_, records, events) = Workload.Value;
        // What the services parse together: every pack's rule reads and the baseline's.
        var selection = TelemetrySchemas.FieldsRead(BaselineHandler.FieldsRead);
        var codec = new SelectiveTelemetryCodec(selection);
        var paths = selection.Paths.Select(p => p.EndsWith(".*", StringComparison.Ordinal) ? p[..^2] : p).Select(p => p.Split('.')).ToList();
        var kept = new List<(TelemetryEvent Event, TelemetryEvent Expected)>();
        var compared = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var partial = codec.Decode(records[i]);
            Assert.True(partial.IsPartial);
            foreach (var path in paths)
            {
                var (expected, actual) = (ValueAt(events[i], path), ValueAt(partial, path));
                Assert.True(Equals(expected, actual) || (expected is IEnumerable<string> a && actual is IEnumerable<string> b && a.SequenceEqual(b)), $"record {i}, {string.Join('.', path)}: {expected} parsed whole, {actual} selectively");
                compared += expected is null or "" or 0L or 0 or false ? 0 : 1;
            }

            // Some events are kept past their batch, as handlers keep them: completed or detached, never reused.
            if (i % 7 == 0)
            {
                if (i % 2 == 0)
                {
                    partial.Complete();
                }
                else
                {
                    partial.Detach();
                }

                kept.Add((partial, events[i]));
            }

            if (i % 1000 == 999)
            {
                codec.ReleaseBatch();
            }
        }

        codec.ReleaseBatch();
        Assert.True(compared > 100_000, $"only {compared} non-default values compared");
        foreach (var (e, expected) in kept)
        {
            e.Complete();
            Assert.Equal(expected, e);
        }
    }

    /// <summary>The value at a field path (by protobuf field names), null where a message on the way is absent.</summary>
    private static object? ValueAt(IMessage message, string[] path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            var field = message.Descriptor.FindFieldByName(path[i]);
            var value = field.Accessor.GetValue(message);
            if (i == path.Length - 1)
            {
                return value;
            }

            if (value is not IMessage next)
            {
                return null;
            }

            message = next;
        }

        return null;
    }

    private static List<Alert> Backtest(AnalyticPack pack, IEnumerable<TelemetryEvent> events)
    {
        var backtest = new Backtest(pack.Rules, new AlertFactory(new FixedClock(), "equivalence"));
        var alerts = events.SelectMany(backtest.Process).ToList();
        alerts.AddRange(backtest.Finish());
        return alerts;
    }

    private static List<int> Positions(Vigil.Eql.Indexing.CandidateSet candidates)
    {
        var positions = new List<int>();
        foreach (var position in candidates)
        {
            positions.Add(position);
        }

        return positions;
    }

    private static string Evidence(IEnumerable<TelemetryEvent> events) => string.Join(",", events.Select(e => e.ToByteString().ToBase64()));

    private static List<ConsumedRecord<TelemetryEvent>> Batch(IEnumerable<TelemetryEvent> events) =>
        events.Select((e, i) => new ConsumedRecord<TelemetryEvent>("telemetry", i % 4, i, e.Host?.Id, DateTimeOffset.UnixEpoch, e)).ToList();

    private static (IReadOnlyList<AnalyticPack>, List<byte[]>, List<TelemetryEvent>) Build()
    {
        var rules = Path.Combine(TestPaths.RepoRoot, "rules");
        var packs = Directory.GetDirectories(rules).Order(StringComparer.Ordinal)
            .Select(dir => AnalyticPack.Load(Path.GetFileName(dir), dir, Lateness))
            .ToList();
        var shaped = Directory.CreateTempSubdirectory("vigil-selective-");
        try
        {
            ElasticShapedRules.Write(shaped.FullName, 100);
            packs.Add(AnalyticPack.Load("elastic-shaped", shaped.FullName, Lateness));
        }
        finally
        {
            shaped.Delete(recursive: true);
        }

        var sink = new Sink();
        new FleetSimulation(new FleetSimulationOptions
        {
            Seed = 42,
            Hosts = 200,
            EventsPerSecond = 2000,
            MaxEvents = 20_000,
            ScenarioInterval = TimeSpan.FromSeconds(1),
        }).RunAsync(sink).GetAwaiter().GetResult();
        var codec = new ProtobufRecordCodec<TelemetryEvent>(1);
        return (packs, sink.Events.Select(codec.Encode).ToList(), sink.Events);
    }

    private sealed class Sink : ITelemetrySink
    {
        public List<TelemetryEvent> Events { get; } = [];

        public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
        {
            Events.AddRange(batch);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
