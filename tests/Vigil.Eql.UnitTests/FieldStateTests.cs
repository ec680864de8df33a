using System.Globalization;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;
using Vigil.Rules;
using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// A state written field by field (<see cref="HostStateSerializer{TEvent}.Changes"/>): each write carries what changed,
/// and the fields the store ends up with always read back as the live state, whatever was added, matched, pruned or
/// evicted in between.
/// </summary>
public sealed class FieldStateTests
{
    private const string ByUser = """
        sequence by user.id with maxspan=20s
          [process where process.name == "a"]
          [process where process.name == "b"]
          [process where process.name == "c"]
        """;

    private const string ByEntity = """
        sequence by process.entity_id with maxspan=1h
          [process where process.name == "curl"]
          [network where true]
        """;

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void FieldsAppliedAfterEveryEventReadBackAsTheLiveStateAndMatchTheSameAfterwards(int seed, bool reportEarly)
    {
        var query = Run.Compile(ByUser);
        var options = new SequenceEngineOptions { Lateness = TimeSpan.FromSeconds(2), MaxPendingKeys = 4, MaxBufferedEvents = 8, ReportEarly = reportEarly };
        var engine = new SequenceEngine<TelemetryEvent>(query, options);
        var tally = new RejectionTally();
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf, maxStateBytes: 1_000, tally);
        var random = new Random(seed);
        var events = RandomStreams.Delayed(random, RandomStreams.Sorted(random, 400).Where(e => e.Host.Id == "mac-1").Select(Spread).ToList(), TimeSpan.FromSeconds(2));
        var state = engine.CreateState("mac-1");
        var store = new Dictionary<string, KeyValuePair<byte[], byte[]>>(StringComparer.Ordinal);

        foreach (var e in events)
        {
            engine.Process(state, e);
            Apply(store, serializer.Changes(state));

            var read = serializer.ReadFields(store.Values);
            Assert.Equal(Describe(state), Describe(read));
            Assert.Equal(state.StoredBytes, store.Values.Sum(f => (long)f.Key.Length + f.Value.Length));
        }

        // The limits were hit along the way (keys evicted by count and by bytes, their fields deleted).
        Assert.True(engine.Rejections.Totals.StateLimit > 0, "no key evicted by count");
        Assert.True(tally.Totals.StateLimit > 0, "no key evicted by bytes");

        // The state read from the fields goes on exactly like the live one.
        var reread = serializer.ReadFields(store.Values);
        var tail = RandomStreams.Sorted(new Random(seed + 100), 60).Where(e => e.Host.Id == "mac-1").Select(e => Shift(Spread(e), 400)).ToList();
        Assert.Equal(Matches(engine, state, tail), Matches(engine, reread, tail));
    }

    [Fact]
    public void OneEventOnAStateHoldingAThousandPartialsWritesItsOwnFieldAndTheHeaderOnly()
    {
        var query = Run.Compile(ByEntity);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = TimeSpan.FromSeconds(2), MaxPendingKeys = 0 });
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf);
        var state = engine.CreateState("host-1");
        for (var i = 0; i < 1_000; i++)
        {
            engine.Process(state, Curl(i, i * 0.001));
        }

        engine.AdvanceWatermark(state, At(5));
        var whole = serializer.Changes(state);
        Assert.Equal(1_001, whole.Set.Count);

        engine.Process(state, Curl(1_000, 10));
        var buffered = serializer.Changes(state);
        engine.AdvanceWatermark(state, At(15));
        var released = serializer.Changes(state);

        Assert.Equal(["h", "b"], buffered.Set.Select(f => ((char)f.Key[0]).ToString()));
        Assert.Empty(buffered.Removed);
        Assert.Equal(["h", "p"], released.Set.Select(f => ((char)f.Key[0]).ToString()));
        Assert.Equal("b", ((char)Assert.Single(released.Removed)[0]).ToString());
        Assert.True(whole.StateBytes > 100 * (buffered.Set.Sum(f => f.Key.Length + f.Value.Length)));
    }

    [Fact]
    public void OverItsByteLimitAWriteDeletesTheFieldsOfTheKeysChangedLongestAgo()
    {
        var query = Run.Compile(ByEntity);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = TimeSpan.Zero, MaxPendingKeys = 0 });
        var tally = new RejectionTally();
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf, maxStateBytes: 8_192, tally);
        var state = engine.CreateState("host-1");
        var store = new Dictionary<string, KeyValuePair<byte[], byte[]>>(StringComparer.Ordinal);
        for (var i = 0; i < 300; i++)
        {
            engine.Process(state, Curl(i, i * 0.01));
            Apply(store, serializer.Changes(state));
        }

        Assert.InRange(store.Values.Sum(f => f.Key.Length + f.Value.Length), 1, 8_192);
        Assert.Equal(300 - state.PendingSequenceCount, tally.Totals.StateLimit);
        var read = serializer.ReadFields(store.Values);
        Assert.Single(engine.Process(read, Connect(299, 10)).Matches);
        Assert.Empty(engine.Process(read, Connect(0, 11)).Matches);
    }

    [Fact]
    public void TheHeaderAStateWritesAfterManyWritesIsTheOneTheSameStateReadBackFromItsFieldsWrites()
    {
        var query = Run.Compile(ByEntity);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = TimeSpan.FromSeconds(2), MaxPendingKeys = 0 });
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf);
        var state = engine.CreateState("host-1");
        var store = new Dictionary<string, KeyValuePair<byte[], byte[]>>(StringComparer.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            engine.Process(state, Curl(i, i * 0.5));
            Apply(store, serializer.Changes(state));
        }

        // Each write moved the latest timestamp and the last released event on: the header says where they are now.
        var read = serializer.ReadFields(store.Values);
        Assert.Equal(state.LatestTimestamp, read.LatestTimestamp);
        Assert.Equal(state.LastReleased, read.LastReleased);

        engine.Process(state, Curl(20, 20));
        engine.Process(read, Curl(20, 20));
        Assert.Equal(Header(serializer.Changes(read)), Header(serializer.Changes(state)));
    }

    private static byte[] Header(StateFieldChanges changes) =>
        changes.Set.Single(f => f.Key is [(byte)'h']).Value.ToArray();

    private static TelemetryEvent Curl(int i, double seconds) => Event($"c{i}", seconds, "process", e =>
        e.Process = new Process { Name = "curl", EntityId = $"entity-{i}" });

    private static TelemetryEvent Connect(int i, double seconds) => Event($"n{i}", seconds, "network", e =>
        e.Process = new Process { Name = "curl", EntityId = $"entity-{i}" });

    // Twenty users instead of three, so keys come and go and the limits evict.
    private static TelemetryEvent Spread(TelemetryEvent e)
    {
        var copy = e.Clone();
        copy.User.Id = "u" + (Math.Abs(copy.Event.Id.GetHashCode(StringComparison.Ordinal)) % 20).ToString(CultureInfo.InvariantCulture);
        return copy;
    }

    private static TelemetryEvent Shift(TelemetryEvent e, double seconds)
    {
        var copy = e.Clone();
        copy.Timestamp += (long)(seconds * 1_000_000_000);
        copy.Event.Id = "t" + copy.Event.Id;
        return copy;
    }

    private static void Apply(Dictionary<string, KeyValuePair<byte[], byte[]>> store, StateFieldChanges changes)
    {
        if (changes.Replace)
        {
            store.Clear();
        }

        foreach (var field in changes.Set)
        {
            store[Convert.ToBase64String(field.Key)] = KeyValuePair.Create(field.Key.ToArray(), field.Value.ToArray());
        }

        foreach (var name in changes.Removed)
        {
            Assert.True(store.Remove(Convert.ToBase64String(name)), "a deleted field was stored");
        }
    }

    private static List<string> Matches(SequenceEngine<TelemetryEvent> engine, HostState<TelemetryEvent> state, List<TelemetryEvent> events) =>
        events.SelectMany(e => engine.Process(state, e).Matches).Concat(engine.Flush(state).Matches).Select(m => string.Join(",", m.EventIds)).ToList();

    private static string Describe(HostState<TelemetryEvent> state) => string.Join(
        "\n",
        $"latest {state.LatestTimestamp} watermark {state.ExternalWatermark} released {state.LastReleased}",
        "buffer " + string.Join(",", state.Buffer.Select(e => e.Id)),
        "keys " + string.Join(
            ";",
            state.Partials.KeysByRecency().Select(k => k + "=" + string.Join("|", state.Partials.TryGetValue(k, out var slots) ? slots.Select(p => p is null ? "-" : string.Join(",", p.Events.Select(e => e.Id))) : []))),
        "early " + string.Join(",", state.EarlyReports.Items.Select(r => r.Key + "@" + r.Last.Id).Order(StringComparer.Ordinal)));
}
