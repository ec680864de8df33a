using Google.Protobuf;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// An engine given a codec that asks for it holds buffered and pending events as their encoding (as the correlator does
/// with selectively decoded events, whose objects are reused after their batch): it never reads an event's object after
/// the call that brought it, and reports the same matches with the same evidence as an engine holding the objects.
/// </summary>
public sealed class HeldEncodingTests
{
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(2);

    public static TheoryData<string, bool> Cases()
    {
        var cases = new TheoryData<string, bool>();
        foreach (var row in StreamingEquivalenceTests.Queries)
        {
            cases.Add(row.Data, false);
            cases.Add(row.Data, true);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnEngineHoldingEventsEncodedReportsTheSameMatchesWithTheSameEvidence(string text, bool reportEarly)
    {
        var query = Run.Compile(text);
        var options = new SequenceEngineOptions { Lateness = Lateness, ReportEarly = reportEarly };
        var random = new Random(31);
        var matched = 0;
        for (var i = 0; i < 60; i++)
        {
            var delayed = RandomStreams.Delayed(random, RandomStreams.Sorted(random, random.Next(20, 100)), Lateness);
            var expected = Matches(new SequenceEngine<TelemetryEvent>(query, options), delayed.Select(e => e.Clone()), wipe: false);

            var actual = Matches(new SequenceEngine<TelemetryEvent>(query, options, new HeldEvents.HoldEverything()), delayed.Select(e => e.Clone()), wipe: true);

            Assert.Equal(expected, actual);
            matched += expected.Count;
        }

        Assert.True(matched > 20, $"only {matched} matches: the streams exercise little");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EventsHeldEncodedSurviveAStoreBetweenEvents(string text, bool reportEarly)
    {
        var query = Run.Compile(text);
        var options = new SequenceEngineOptions { Lateness = Lateness, ReportEarly = reportEarly };
        var holding = new SequenceEngine<TelemetryEvent>(query, options, new HeldEvents.HoldEverything());
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf);
        var random = new Random(5);
        for (var i = 0; i < 30; i++)
        {
            var delayed = RandomStreams.Delayed(random, RandomStreams.Sorted(random, random.Next(10, 80)), Lateness);
            var expected = Matches(new SequenceEngine<TelemetryEvent>(query, options), delayed.Select(e => e.Clone()), wipe: false);

            var fields = new Dictionary<string, Dictionary<string, byte[]>>();
            var actual = new List<string>();
            foreach (var e in delayed.Select(e => e.Clone()))
            {
                var host = holding.HostOf(e);
                var state = fields.TryGetValue(host, out var stored) ? serializer.ReadFields(Pairs(stored)) : holding.CreateState(host);
                actual.AddRange(holding.Process(state, e).Matches.Select(HeldEvents.Describe));
                HeldEvents.Wipe(e);
                var changes = serializer.Changes(state);
                var hash = changes.Replace || stored is null ? new Dictionary<string, byte[]>() : stored;
                foreach (var name in changes.Removed)
                {
                    hash.Remove(Convert.ToBase64String(name));
                }

                foreach (var (name, value) in changes.Set)
                {
                    hash[Convert.ToBase64String(name)] = value.ToArray();
                }

                fields[host] = hash;
            }

            foreach (var host in fields.Keys.Order(StringComparer.Ordinal))
            {
                actual.AddRange(holding.Flush(serializer.ReadFields(Pairs(fields[host]))).Matches.Select(HeldEvents.Describe));
            }

            Assert.Equal(expected, actual);
        }
    }

    private static List<KeyValuePair<byte[], byte[]>> Pairs(Dictionary<string, byte[]> hash) =>
        hash.Select(f => new KeyValuePair<byte[], byte[]>(Convert.FromBase64String(f.Key), f.Value)).ToList();

    /// <summary>Every match in the order reported, as host, key, ids, times and each evidence event's bytes.</summary>
    private static List<string> Matches(SequenceEngine<TelemetryEvent> engine, IEnumerable<TelemetryEvent> events, bool wipe)
    {
        var states = new Dictionary<string, HostState<TelemetryEvent>>(StringComparer.Ordinal);
        var matches = new List<string>();
        foreach (var e in events)
        {
            var host = engine.HostOf(e);
            if (!states.TryGetValue(host, out var state))
            {
                states[host] = state = engine.CreateState(host);
            }

            matches.AddRange(engine.Process(state, e).Matches.Select(HeldEvents.Describe));
            if (wipe)
            {
                // As a reused, selectively decoded event would be after its batch: nothing may read it any more.
                HeldEvents.Wipe(e);
            }
        }

        foreach (var host in states.Keys.Order(StringComparer.Ordinal))
        {
            matches.AddRange(engine.Flush(states[host]).Matches.Select(HeldEvents.Describe));
        }

        return matches;
    }
}
