using Google.Protobuf;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// Buffered events wait in arrays of a <see cref="HeldBufferPool"/> that later events reuse, and first-step partials'
/// fields are views of their event's array: a returned array is overwritten (here with poison at once), so these tests
/// prove nothing reads it afterwards: not a match's evidence, not a field already taken by the store, not the state.
/// </summary>
public sealed class HeldBufferReuseTests
{
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(2);

    public static TheoryData<string, bool> Cases() => HeldEncodingTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ArraysReusedByLaterEventsNeverChangeAnEarlierMatchesEvidenceNorTheStoredFields(string text, bool reportEarly)
    {
        var query = Run.Compile(text);
        var options = new SequenceEngineOptions { Lateness = Lateness, ReportEarly = reportEarly };
        var pool = new HeldBufferPool(poisonReturned: true);
        var holding = new SequenceEngine<TelemetryEvent>(query, options, new HeldEvents.HoldEverything(), pool);
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf, namePool: pool);
        var random = new Random(17);
        var reported = 0;
        for (var i = 0; i < 30; i++)
        {
            var delayed = RandomStreams.Delayed(random, RandomStreams.Sorted(random, random.Next(20, 100)), Lateness);
            var expected = Matches(new SequenceEngine<TelemetryEvent>(query, options), delayed.Select(e => e.Clone()));

            // As the correlator keeps them: states in memory, each change written to a store that copies what it is
            // given, then Stored(), after which the engine reuses the arrays of released events.
            var states = new Dictionary<string, HostState<TelemetryEvent>>(StringComparer.Ordinal);
            var store = new Dictionary<string, Dictionary<string, byte[]>>(StringComparer.Ordinal);
            var matches = new List<(SequenceMatch<TelemetryEvent> Match, string AsReported)>();
            foreach (var e in delayed.Select(e => e.Clone()))
            {
                var host = holding.HostOf(e);
                if (!states.TryGetValue(host, out var state))
                {
                    states[host] = state = holding.CreateState(host);
                }

                matches.AddRange(holding.Process(state, e).Matches.Select(m => (m, HeldEvents.Describe(m))));
                HeldEvents.Wipe(e);
                Write(serializer, store, host, state);

                // The store's copy of every state reads back as what the engine holds, whatever arrays were reused.
                Assert.Equal(Describe(state), Describe(serializer.ReadFields(Pairs(store[host]))));
            }

            foreach (var host in states.Keys.Order(StringComparer.Ordinal))
            {
                matches.AddRange(holding.Flush(states[host]).Matches.Select(m => (m, HeldEvents.Describe(m))));
                Write(serializer, store, host, states[host]);
            }

            // Every match, looked at again after all later events reused the arrays, is still what it was when reported.
            Assert.Equal(matches.Select(m => m.AsReported), matches.Select(m => HeldEvents.Describe(m.Match)));
            Assert.Equal(expected, matches.Select(m => m.AsReported));
            reported += expected.Count;
        }

        Assert.True(pool.Rented < 100 || pool.Reused > pool.Rented / 2, $"{pool.Rented} arrays rented, only {pool.Reused} reused");
        Assert.True(pool.ExactRented < 100 || pool.ExactReused > pool.ExactRented / 2, $"{pool.ExactRented} field names rented, only {pool.ExactReused} reused");
        Assert.True(reported > 10, $"only {reported} matches: the streams exercise little");
    }

    [Fact]
    public void ABufferedEventsArrayGoesBackOnlyOnceTheWriteAfterItsReleaseIsStored()
    {
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name == \"a\"] [process where process.name == \"b\"]", Lateness, namesFromPool: false);
        var state = engine.CreateState("host-1");

        // A second step with no first before it: buffered in a pooled array, dropped when released.
        engine.Process(state, Named("b1", 0, "b"));
        var buffered = serializer.Changes(state);
        var field = buffered.Set.Single(f => f.Key[0] == (byte)'b').Value;
        var bytes = field.ToArray();
        buffered.Stored();
        Assert.Equal((1L, 0L), (pool.Rented, pool.Returned));

        // Released by a later event: its array is not returned until the write that deletes its field is stored.
        engine.Process(state, Named("b2", 5, "b"));
        var released = serializer.Changes(state);
        Assert.Single(released.Removed);
        Assert.Equal(0, pool.Returned);
        Assert.Equal(bytes, field.ToArray());

        released.Stored();
        Assert.Equal(1, pool.Returned);
        Assert.All(field.ToArray(), b => Assert.Equal(HeldBufferPool.Poison, b));
        released.Stored();
        Assert.Equal(1, pool.Returned);

        // The next event reuses that array; the state and its store copy are unharmed.
        engine.Process(state, Named("b3", 6, "b"));
        Assert.Equal(1, pool.Reused);
        Assert.Equal(2, state.BufferedEventCount);
    }

    [Fact]
    public void ABufferedFieldsNameIsReusedOnlyOnceTheWriteThatDeletesTheFieldIsStored()
    {
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name == \"a\"] [process where process.name == \"b\"]", Lateness, namesFromPool: true);
        var store = new Dictionary<string, Dictionary<string, byte[]>>(StringComparer.Ordinal);
        var state = engine.CreateState("host-1");

        // Buffered: its field's name is set by one write...
        engine.Process(state, Named("b1", 0, "b"));
        var buffered = serializer.Changes(state);
        var name = buffered.Set.Single(f => f.Key[0] == (byte)'b').Key;
        var bytes = name.ToArray();
        Apply(store, "host-1", buffered);
        buffered.Stored();
        Assert.Equal((1L, 0L), (pool.ExactRented, pool.ExactReturned));

        // ...and deleted by the write after its release, the same name, which stays intact until that write is stored.
        engine.Process(state, Named("b2", 5, "b"));
        var released = serializer.Changes(state);
        Assert.Same(name, Assert.Single(released.Removed));
        Assert.Equal(bytes, name);
        Apply(store, "host-1", released);
        Assert.Equal(0, pool.ExactReturned);

        released.Stored();
        Assert.Equal(1, pool.ExactReturned);
        Assert.All(name, b => Assert.Equal(HeldBufferPool.Poison, b));
        released.Stored();
        Assert.Equal(1, pool.ExactReturned);

        // A later event's field takes that array for its own name; the store still reads back as the state.
        engine.Process(state, Named("b3", 6, "b"));
        var reused = serializer.Changes(state);
        Assert.Equal(1, pool.ExactReused);
        Apply(store, "host-1", reused);
        reused.Stored();
        Assert.Equal(Describe(state), Describe(serializer.ReadFields(Pairs(store["host-1"]))));
        Assert.Equal(2, serializer.ReadFields(Pairs(store["host-1"])).BufferedEventCount);
    }

    [Fact]
    public void ADeletedStatesFieldNamesAreReusedOnlyOnceTheDeletionIsStored()
    {
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name == \"a\"] [process where process.name == \"b\"]", Lateness, namesFromPool: true);
        var state = engine.CreateState("host-1");
        engine.Process(state, Named("b1", 0, "b"));
        var buffered = serializer.Changes(state);
        var name = buffered.Set.Single(f => f.Key[0] == (byte)'b').Key;
        var bytes = name.ToArray();
        buffered.Stored();

        // The state is dropped whole: its buffered field's name goes back only once that deletion is stored.
        var deleted = serializer.Discarded(state);
        Assert.NotNull(deleted);
        Assert.Equal(bytes, name);
        Assert.Equal(0, pool.ExactReturned);
        deleted.Stored();
        Assert.Equal(1, pool.ExactReturned);
        Assert.All(name, b => Assert.Equal(HeldBufferPool.Poison, b));
    }

    [Fact]
    public void AFirstStepsPartialFieldIsAViewOfItsEventAndReadsBackAsItsEvent()
    {
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name == \"a\"] [process where process.name == \"b\"] [process where process.name == \"c\"]", TimeSpan.Zero, namesFromPool: false);
        var state = engine.CreateState("host-1");
        var first = Named("a1", 0, "a");
        var encoding = first.ToByteArray();

        engine.Process(state, first);
        engine.Process(state, Named("x1", 1, "x"));
        var changes = serializer.Changes(state);
        var partial = changes.Set.Single(f => f.Key[0] == (byte)'p').Value;

        // The first step's event has a kept array from the pool (back only once its partial ends), and the field is a view of it.
        Assert.Equal((1L, 0L), (pool.Rented, pool.Returned));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(partial, out var segment) && segment.Offset > 0);

        // Copied as a store does before it confirms the write: the header's array goes back to a shared pool then.
        var read = serializer.ReadFields([.. changes.Set.Select(f => KeyValuePair.Create(f.Key.ToArray(), f.Value.ToArray()))]);
        changes.Stored();
        Assert.Equal(1, read.PendingSequenceCount);

        // Both the state in memory and the one read back complete the sequence with the first event's own bytes.
        foreach (var s in new[] { state, read })
        {
            engine.Process(s, Named("b1", 2, "b"));
            var match = Assert.Single(engine.Process(s, Named("c1", 3, "c")).Matches);
            Assert.Equal(encoding, match.Events[0].ToByteArray());
        }
    }

    [Fact]
    public void APartialFieldOfSeveralEventsIsAPooledArrayThatGoesBackOnlyOnceItsWriteIsStored()
    {
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name == \"a\"] [process where process.name == \"b\"] [process where process.name == \"c\"]", TimeSpan.Zero, namesFromPool: true);
        var state = engine.CreateState("host-1");
        var first = Named("a1", 0, "a");
        var second = Named("b1", 1, "b");
        engine.Process(state, first.Clone());
        serializer.Changes(state).Stored();

        // a1 then b1: the key's field holds both events, written into an array of the serializer's pool.
        engine.Process(state, second.Clone());
        var changes = serializer.Changes(state);
        var partial = changes.Set.Single(f => f.Key[0] == (byte)'p').Value;
        var bytes = partial.ToArray();
        var read = serializer.ReadFields([.. changes.Set.Select(f => KeyValuePair.Create(f.Key.ToArray(), f.Value.ToArray()))]);
        var returned = pool.Returned;
        Assert.Equal(1, read.PendingSequenceCount);

        // Not returned while the write may still send it; back (and overwritten) once the write is stored.
        Assert.Equal(bytes, partial.ToArray());
        changes.Stored();
        Assert.True(pool.Returned > returned, "the partial's field array did not go back to the pool");
        Assert.All(partial.ToArray(), b => Assert.Equal(HeldBufferPool.Poison, b));

        // The copy the store took still completes the sequence with both events' own bytes, and so does the state.
        foreach (var s in new[] { state, read })
        {
            var match = Assert.Single(engine.Process(s, Named("c1", 2, "c")).Matches);
            Assert.Equal([first.ToByteArray(), second.ToByteArray()], match.Events.Take(2).Select(e => e.ToByteArray()));
        }
    }

    [Fact]
    public void AWritesListOfFieldsIsReusedByALaterWriteOnlyOnceItIsStored()
    {
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name == \"a\"] [process where process.name == \"b\"]", Lateness, namesFromPool: true);
        var state = engine.CreateState("host-1");

        // Each write sets the header and one newly buffered event: two fields.
        engine.Process(state, Named("b1", 0, "b"));
        var first = serializer.Changes(state);
        var fields = first.Set.ToArray();
        engine.Process(state, Named("b2", 1, "b"));
        var second = serializer.Changes(state);

        // While the first write may still send its list, the second gets a list of its own; the first is unchanged.
        Assert.NotSame(first.Set, second.Set);
        Assert.Equal(fields, first.Set);
        var firstSet = first.Set;
        first.Stored();
        Assert.All(firstSet, f => Assert.Null(f.Key));

        // Once stored, the next write of that many fields reuses it.
        engine.Process(state, Named("b3", 1.5, "b"));
        var third = serializer.Changes(state);
        Assert.Same(firstSet, third.Set);
        Assert.Equal(2, third.Set.Count(f => f.Key is not null));
        Assert.Equal((3L, 1L), (pool.FieldsRented, pool.FieldsReused));
    }

    [Fact]
    public void AnOverwrittenFirstStepsArrayGoesBackOnlyOnceTheWriteAfterItEndedIsStored()
    {
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name == \"a\"] [process where process.name == \"b\"]", TimeSpan.Zero, namesFromPool: false);
        var state = engine.CreateState("host-1");

        engine.Process(state, Named("a1", 0, "a"));
        var first = serializer.Changes(state);
        var firstPartial = first.Set.Single(f => f.Key[0] == (byte)'p').Value;
        var firstBytes = firstPartial.ToArray();
        first.Stored();
        Assert.Equal((1L, 0L), (pool.Rented, pool.Returned));

        // A newer first step overwrites the partial: the old event's array is not returned while this write may read it.
        engine.Process(state, Named("a2", 1, "a"));
        var overwritten = serializer.Changes(state);
        Assert.Equal(0, pool.Returned);
        Assert.Equal(firstBytes, firstPartial.ToArray());
        overwritten.Stored();
        Assert.Equal(1, pool.Returned);

        // The next first step reuses it; the pending partial (a2) still completes with its own bytes.
        var third = Named("a3", 2, "a");
        engine.Process(state, third);
        Assert.Equal(1, pool.Reused);
        var match = Assert.Single(engine.Process(state, Named("b1", 3, "b")).Matches);
        Assert.Equal(third.ToByteArray(), match.Events[0].ToByteArray());
    }

    [Fact]
    public void AnEventHeldByTwoPartialsKeepsItsBytesUntilTheLastOfThemEnds()
    {
        // b1 advances a1's partial and starts one of its own; a2 then overwrites b1's own partial: b1 must stay readable.
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name in (\"a\", \"b\")] [process where process.name == \"b\"] [process where process.name == \"c\"]", TimeSpan.Zero, namesFromPool: false);
        var state = engine.CreateState("host-1");
        var a1 = Named("a1", 0, "a");
        var b1 = Named("b1", 1, "b");
        foreach (var e in new[] { a1.Clone(), b1.Clone(), Named("a2", 2, "a") })
        {
            engine.Process(state, e);
            serializer.Changes(state).Stored();
        }

        var match = Assert.Single(engine.Process(state, Named("c1", 3, "c")).Matches);
        Assert.Equal([a1.ToByteArray(), b1.ToByteArray()], match.Events.Take(2).Select(e => e.ToByteArray()));

        // Only now, with the sequence completed and its write stored, do a1's and b1's arrays go back (c1's with them).
        var returnedBefore = pool.Returned;
        serializer.Changes(state).Stored();
        Assert.Equal(returnedBefore + 3, pool.Returned);
    }

    [Fact]
    public void AStateLeavingMemoryHandsBackEveryPooledArrayItHoldsExactlyOnce()
    {
        var (query, pool, engine, serializer) = Poisoned("sequence by user.name [process where process.name == \"a\"] [process where process.name == \"b\"] [process where process.name == \"c\"]", Lateness, namesFromPool: false);
        var state = engine.CreateState("host-1");

        // a1 and b1 released into one partial (a1's kept array, b1 copied into one of its own; b1's buffer array waits
        // for the next write), b2 still buffered in a pooled array, and one write stored along the way.
        engine.Process(state, Named("a1", 0, "a"));
        serializer.Changes(state).Stored();
        engine.Process(state, Named("b1", 1, "b"));
        engine.Process(state, Named("b2", 5, "b"));
        Assert.Equal(1, state.PendingSequenceCount);
        Assert.Equal(1, state.BufferedEventCount);
        var outstanding = pool.Rented - pool.Returned;
        Assert.True(outstanding >= 4, $"only {outstanding} arrays out: the state holds too little to show anything");

        var taken = new List<(HeldBufferPool Pool, byte[] Array)>();
        state.TakeArrays(taken);

        Assert.Equal(outstanding, taken.Count);
        Assert.Equal(taken.Count, taken.Select(t => t.Array).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.All(taken, t => Assert.Same(pool, t.Pool));

        // Taken once: a second look finds nothing, and giving them back leaves nothing out.
        var again = new List<(HeldBufferPool Pool, byte[] Array)>();
        state.TakeArrays(again);
        Assert.Empty(again);
        HeldBufferPool.ReturnAll(taken);
        Assert.Equal(pool.Rented, pool.Returned);
    }

    /// <summary>
    /// A query's engine holding every event in arrays of a pool that poisons what comes back, and its serializer, whose
    /// reorder-buffer names, partial fields and field lists come from that pool too when <paramref name="namesFromPool"/>
    /// (else from the shared pool).
    /// </summary>
    private static (CompiledQuery<TelemetryEvent> Query, HeldBufferPool Pool, SequenceEngine<TelemetryEvent> Engine, HostStateSerializer<TelemetryEvent> Serializer) Poisoned(
        string text, TimeSpan lateness, bool namesFromPool)
    {
        var query = Run.Compile(text);
        var pool = new HeldBufferPool(poisonReturned: true);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = lateness }, new HeldEvents.HoldEverything(), pool);
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf, namePool: namesFromPool ? pool : null);
        return (query, pool, engine, serializer);
    }

    private static TelemetryEvent Named(string id, double seconds, string name) =>
        Telemetry.Event(id, seconds, "process", e =>
        {
            e.Process = new Process { Name = name };
            e.User = new User { Name = "alice", Id = "alice" };
        });

    private static void Write(HostStateSerializer<TelemetryEvent> serializer, Dictionary<string, Dictionary<string, byte[]>> store, string host, HostState<TelemetryEvent> state)
    {
        var changes = serializer.Changes(state);
        Apply(store, host, changes);
        changes.Stored();
    }

    private static void Apply(Dictionary<string, Dictionary<string, byte[]>> store, string host, StateFieldChanges changes)
    {
        var hash = changes.Replace || !store.TryGetValue(host, out var stored) ? [] : stored;
        foreach (var name in changes.Removed)
        {
            hash.Remove(Convert.ToBase64String(name));
        }

        foreach (var (name, value) in changes.Set)
        {
            hash[Convert.ToBase64String(name)] = value.ToArray();
        }

        store[host] = hash;
    }

    /// <summary>What a state holds, in a canonical order: buffered events and each key's partials, with every event's bytes.</summary>
    private static string Describe(HostState<TelemetryEvent> state)
    {
        static string Event(PendingEvent<TelemetryEvent> e) => $"{e.Position} {e.Document.ToByteString().ToBase64()}";
        var partials = state.Partials
            .Select(p => $"{p.Key}: " + string.Join(" | ", p.Value.Select(slot => slot is null ? "-" : string.Join(",", slot.Events.Select(Event)))))
            .Order(StringComparer.Ordinal);
        return string.Join("\n", state.Buffer.Select(Event).Concat(partials)) + $"\n{state.LatestTimestamp} {state.LastReleased}";
    }

    private static List<KeyValuePair<byte[], byte[]>> Pairs(Dictionary<string, byte[]> hash) =>
        hash.Select(f => new KeyValuePair<byte[], byte[]>(Convert.FromBase64String(f.Key), f.Value)).ToList();

    private static List<string> Matches(SequenceEngine<TelemetryEvent> engine, IEnumerable<TelemetryEvent> events)
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
        }

        foreach (var host in states.Keys.Order(StringComparer.Ordinal))
        {
            matches.AddRange(engine.Flush(states[host]).Matches.Select(HeldEvents.Describe));
        }

        return matches;
    }
}
