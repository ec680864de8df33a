using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// Properties that make the streaming service and the offline backtest agree: arrival order within the lateness does
/// not change matches, and storing the state as bytes between events does not either.
/// </summary>
public sealed class StreamingEquivalenceTests
{
    private const int Iterations = 150;

    public static TheoryData<string> Queries { get; } = new(
        """
        sequence by user.name with maxspan=4s
          [process where process.name == "a"] [process where process.name == "b"] [process where process.name == "c"]
        until [process where process.name == "x"]
        """,
        """
        sequence by user.name with maxspan=6s
          [process where process.name : "A"] [process where process.name : "b"] with runs=2
        """,
        """
        sequence with maxspan=5s
          [process where process.name == "a"] by user.name
          [process where process.name in ("b", "c")] by process.parent.name
        """,
        """
        sequence [process where true] [process where true] [process where process.name == "c"]
        """,
        """
        sequence by user.name with maxspan=3s
          [process where process.name == "a"] ![process where process.name == "x"] [process where process.name == "b"]
        """,
        """
        sequence by user.name with maxspan=3s
          ![process where process.name == "x"] [process where process.name == "a"] [process where process.name == "b"]
        """,
        """
        sequence by user.name with maxspan=3s
          [process where process.name == "a"] [process where process.name == "b"] ![process where process.name == "c"]
        """,
        """
        sample by user.name [process where process.name == "a"] [process where process.name == "b"] [process where process.name == "c"]
        """);

    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(2);

    /// <summary>Matches per host, in completion order, each as its event ids.</summary>
    private static Dictionary<string, List<string>> ByHost(IEnumerable<SequenceMatch<TelemetryEvent>> matches) =>
        matches.GroupBy(m => m.HostId).ToDictionary(g => g.Key, g => g.Select(m => string.Join(",", m.EventIds)).ToList());

    private static (Dictionary<string, List<string>> Matches, long Late) RunInMemory(CompiledQuery<TelemetryEvent> query, IEnumerable<TelemetryEvent> events, TimeSpan lateness)
    {
        var runner = new InMemorySequenceRunner<TelemetryEvent>(new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = lateness }));
        var matches = events.SelectMany(runner.Process).ToList();
        matches.AddRange(runner.Flush());
        return (ByHost(matches), runner.LateEvents);
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void AnyArrivalOrderWithinTheLatenessGivesTheMatchesOfTheSortedStream(string text)
    {
        var query = Run.Compile(text);
        var random = new Random(20240101);
        var total = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var sorted = RandomStreams.Sorted(random, random.Next(20, 120));
            var expected = RunInMemory(query, sorted, TimeSpan.Zero).Matches;
            var delayed = RandomStreams.Delayed(random, sorted, Lateness);

            var (actual, late) = RunInMemory(query, delayed, Lateness);

            Assert.Equal(0, late);
            Assert.Equal(expected, actual);
            total += expected.Values.Sum(v => v.Count);
        }

        // The generated streams must actually exercise matching for the property to mean anything.
        Assert.True(total > Iterations / 4, $"only {total} matches over {Iterations} streams");
    }

    /// <summary>
    /// The correlator's release by arrival time alone (the engine's own lateness set far out of reach): once the events
    /// buffered up to a position have waited the lateness since they arrived, the buffer is released through it. With
    /// arrivals disordered by less than the lateness, nothing before that position can still come, so the matches are
    /// the sorted stream's, and no event is late.
    /// </summary>
    [Theory]
    [MemberData(nameof(Queries))]
    public void ReleasingWhatHasWaitedTheLatenessSinceItArrivedGivesTheMatchesOfTheSortedStream(string text)
    {
        var query = Run.Compile(text);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = TimeSpan.FromHours(1) });
        var lateness = Lateness.Ticks * 100;
        var random = new Random(20261206);
        int total = 0, releasedBeforeTheEnd = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var sorted = RandomStreams.Sorted(random, random.Next(20, 120));
            var expected = RunInMemory(query, sorted, TimeSpan.Zero).Matches;

            var states = new Dictionary<string, (HostState<TelemetryEvent> State, Queue<(long At, EventPosition Through)> Arrivals)>();
            var matches = new List<SequenceMatch<TelemetryEvent>>();
            var late = 0L;
            foreach (var (e, arrival) in RandomStreams.Arrivals(random, sorted, Lateness))
            {
                foreach (var (state, arrivals) in states.Values)
                {
                    EventPosition? through = null;
                    while (arrivals.TryPeek(out var due) && arrival - due.At >= lateness)
                    {
                        through = arrivals.Dequeue().Through;
                    }

                    if (through is { } position)
                    {
                        var released = engine.ReleaseThrough(state, position).Matches;
                        releasedBeforeTheEnd += released.Count;
                        matches.AddRange(released);
                    }
                }

                var host = engine.HostOf(e);
                if (!states.TryGetValue(host, out var entry))
                {
                    states[host] = entry = (engine.CreateState(host), new Queue<(long, EventPosition)>());
                }

                var result = engine.Process(entry.State, e);
                late += result.LateEvents;
                matches.AddRange(result.Matches);
                if (entry.State.NewestBuffered is { } newest && (entry.Arrivals.Count == 0 || entry.Arrivals.Last().Through < newest))
                {
                    entry.Arrivals.Enqueue((arrival, newest));
                }
            }

            foreach (var host in states.Keys.Order(StringComparer.Ordinal))
            {
                matches.AddRange(engine.Flush(states[host].State).Matches);
            }

            Assert.Equal(0, late);
            Assert.Equal(expected, ByHost(matches));
            total += expected.Values.Sum(v => v.Count);
        }

        Assert.True(total > Iterations / 4, $"only {total} matches over {Iterations} streams");
        Assert.True(releasedBeforeTheEnd > total / 2, $"only {releasedBeforeTheEnd} of {total} matches released before the end of the stream");
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void StoringTheStateAsBytesBetweenEventsChangesNoMatch(string text)
    {
        var query = Run.Compile(text);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = Lateness });
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf);
        var random = new Random(7);
        for (var i = 0; i < Iterations / 3; i++)
        {
            var delayed = RandomStreams.Delayed(random, RandomStreams.Sorted(random, random.Next(10, 80)), Lateness);
            var expected = RunInMemory(query, delayed, Lateness).Matches;

            // A store that only ever holds bytes, as the correlator's Redis does.
            var store = new Dictionary<string, byte[]>();
            var matches = new List<SequenceMatch<TelemetryEvent>>();
            foreach (var e in delayed)
            {
                var host = engine.HostOf(e);
                var state = store.TryGetValue(host, out var bytes) ? serializer.Deserialize(bytes) : engine.CreateState(host);
                var result = engine.Process(state, e);
                matches.AddRange(result.Matches);
                store[host] = serializer.Serialize(state);
            }

            foreach (var host in store.Keys.Order(StringComparer.Ordinal))
            {
                matches.AddRange(engine.Flush(serializer.Deserialize(store[host])).Matches);
            }

            Assert.Equal(expected, ByHost(matches));
        }
    }

    [Fact]
    public void AnEventLaterThanTheLatenessIsCountedAndNotMatched()
    {
        var query = Run.Compile("sequence by user.name [process where process.name == \"A\"] [process where process.name == \"B\"]");
        TelemetryEvent[] events = [Telemetry.Process("b", 10, "B"), Telemetry.Process("later", 13, "B"), Telemetry.Process("a", 1, "A")];

        var (matches, late) = RunInMemory(query, events, Lateness);

        Assert.Empty(matches);
        Assert.Equal(1, late);
    }

    [Fact]
    public void AnEventWithinTheLatenessIsPutBackInOrder()
    {
        var query = Run.Compile("sequence by user.name [process where process.name == \"A\"] [process where process.name == \"B\"]");
        TelemetryEvent[] events = [Telemetry.Process("b", 10, "B"), Telemetry.Process("a", 8.5, "A")];

        Assert.Equal([["a", "b"]], Run.Sequences(query, events, Lateness));
    }

    [Fact]
    public void ARedeliveredEventIsIgnored()
    {
        var query = Run.Compile("sequence by user.name [process where process.name == \"A\"] [process where process.name == \"B\"]");
        var a = Telemetry.Process("a", 1, "A");
        var b = Telemetry.Process("b", 2, "B");

        // At-least-once delivery replays events; neither a buffered nor a released duplicate yields a second match.
        Assert.Equal([["a", "b"]], Run.Sequences(query, [a, a, b, a, b], Lateness));
        Assert.Equal([["a", "b"]], Run.Sequences(query, [a, b, Telemetry.Process("a2", 5, "A", "bob"), a, b], Lateness));
    }
}
