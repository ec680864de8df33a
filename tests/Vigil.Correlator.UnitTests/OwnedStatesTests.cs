using Google.Protobuf;
using Vigil.Correlator.UnitTests.Support;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

public sealed class OwnedStatesTests
{
    private readonly Vigil.Detection.AnalyticPack pack = RoutePack.Load();
    private readonly ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1_000_000));
    private readonly InMemoryStateStore store = new();
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));

    [Fact]
    public async Task AHotHostsStateIsReadFromTheStoreOnceAndThenServedFromMemoryWhileEveryChangeIsWrittenThrough()
    {
        var (owned, engine, router) = Route();

        await StepAsync(owned, engine, router, 0, Shell("mac-1", T0, "s1"));
        await StepAsync(owned, engine, router, 0, Curl("mac-1", T0 + Seconds(1), "c1"));
        await StepAsync(owned, engine, router, 0, Curl("mac-1", T0 + Seconds(2), "c2"));

        Assert.Equal(1, store.KeysRead);
        Assert.Equal(3, store.StatesWritten);
        var key = new StateKey(pack.Sequence(), "mac-1");
        var stored = StateFormat.Read(key.Rule, store.Stored(key.Member));
        var live = (await owned.LoadAsync([(key, 0)]))[key];
        Assert.Equal(live.BufferedEventCount, stored.BufferedEventCount);
        Assert.Equal(live.LatestTimestamp, stored.LatestTimestamp);
    }

    [Fact]
    public async Task ARevokedPartitionLeavesMemoryAndIsReadFromTheStoreAfterItIsAssignedAgain()
    {
        var (owned, engine, router) = Route();
        await StepAsync(owned, engine, router, 4, Shell("mac-1", T0, "s1"));
        await StepAsync(owned, engine, router, 5, Shell("mac-2", T0, "s2"));
        Assert.Equal(2, owned.Count);

        owned.Drop([4]);
        Assert.Equal(1, owned.Count);

        // Meanwhile another owner moved mac-1 on: what this member reads after its next assignment is the store's copy.
        var key = new StateKey(pack.Sequence(), "mac-1");
        var elsewhere = StateFormat.Read(key.Rule, store.Stored(key.Member));
        key.Rule.Engine.Process(elsewhere, Shell("mac-1", T0 + Seconds(1), "s1b"));
        await store.WriteAsync([new StateWrite(key, StateFormat.Write(key.Rule, elsewhere), TimeSpan.FromMinutes(5))], []);
        var reads = store.KeysRead;

        var reloaded = (await owned.LoadAsync([(key, 4)]))[key];

        Assert.Equal(reads + 1, store.KeysRead);
        Assert.Equal(T0 + Seconds(1), reloaded.LatestTimestamp);
    }

    [Fact]
    public async Task ABatchWhoseWriteFailedLeavesNoTraceInMemorySoItsRetryStartsFromTheStore()
    {
        var (owned, engine, router) = Route();
        await StepAsync(owned, engine, router, 0, Consumed(Curl("mac-1", T0, "c0")));
        var key = new StateKey(pack.Sequence(), "mac-1");
        var before = store.Stored(key.Member);

        store.FailWrites = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => StepAsync(owned, engine, router, 0, Consumed(Curl("mac-1", T0 + Seconds(1), "c1"))));
        store.FailWrites = false;

        Assert.Equal(0, owned.Count);
        var retried = (await owned.LoadAsync([(key, 0)]))[key];

        // The failed write's arrays stay out of the pool: a store client may still send a write it gave up on.
        Assert.Equal(0, owned.ArraysReturnedOnLeaving);
        Assert.Equal(StateFormat.Read(key.Rule, before).LatestTimestamp, retried.LatestTimestamp);
    }

    [Fact]
    public async Task AStateNobodyTouchedForItsRetentionIsSweptFromMemory()
    {
        var (owned, engine, router) = Route();
        await StepAsync(owned, engine, router, 0, Consumed(Curl("mac-1", T0, "c1")));

        clock.Advance(pack.Sequence().Engine.StateRetention + CorrelationEngine.ProcessingSlack + TimeSpan.FromSeconds(1));
        owned.Sweep();

        // Its buffered download's array went back to the pool with it.
        Assert.Equal(1, owned.ArraysReturnedOnLeaving);

        Assert.Equal(0, owned.Count);
    }

    [Fact]
    public async Task AnEmptyStateStaysInMemoryTenMinutesPastItsRetentionAndIsOnlyReadAgainOnceASweepDroppedIt()
    {
        var owned = new OwnedStates(store, clock);
        var key = new StateKey(pack.Sequence(), "mac-1");
        await owned.LoadAsync([(key, 0)]);
        Assert.Equal(1, store.KeysRead);

        clock.Advance(Retention(key) + TimeSpan.FromSeconds(1));
        owned.Sweep();
        Assert.Equal(1, owned.Count);
        var renewed = (await owned.LoadAsync([(key, 0)]))[key];
        Assert.Equal(1, store.KeysRead);
        Assert.Equal(1, owned.KnownEmptyRenewals);
        Assert.Null(renewed.LatestTimestamp);

        clock.Advance(Retention(key) + OwnedStates.KnownEmptyRetention);
        owned.Sweep();
        Assert.Equal(0, owned.Count);
        await owned.LoadAsync([(key, 0)]);
        Assert.Equal(2, store.KeysRead);
    }

    [Fact]
    public async Task AStateHoldingEventsPastItsRetentionIsReadFromTheStoreAgain()
    {
        var (owned, engine, router) = Route();
        await StepAsync(owned, engine, router, 0, Shell("mac-1", T0, "s1"));
        var key = new StateKey(pack.Sequence(), "mac-1");
        Assert.Equal(1, store.KeysRead);

        clock.Advance(Retention(key) + TimeSpan.FromSeconds(1));
        await owned.LoadAsync([(key, 0)]);

        Assert.Equal(2, store.KeysRead);
        Assert.Equal(0, owned.KnownEmptyRenewals);
    }

    [Fact]
    public async Task AnEmptyStateKnownForOnePartitionIsReadFromTheStoreWhenItsHostComesOnAnother()
    {
        var owned = new OwnedStates(store, clock);
        var key = new StateKey(pack.Sequence(), "mac-1");
        await owned.LoadAsync([(key, 0)]);
        clock.Advance(Retention(key) + TimeSpan.FromSeconds(1));

        await owned.LoadAsync([(key, 1)]);

        Assert.Equal(2, store.KeysRead);
        Assert.Equal(0, owned.KnownEmptyRenewals);
    }

    [Fact]
    public async Task OverItsLimitMemoryLetsStatesOnlyKnownToBeEmptyGoBeforeStatesLoadedAtAnAssignment()
    {
        var owned = new OwnedStates(store, clock, limit: 10);
        var empties = Enumerable.Range(0, 5).Select(h => (new StateKey(pack.Sequence(), $"mac-e{h}"), 0)).ToList();
        await owned.LoadAsync(empties);
        clock.Advance(Retention(empties[0].Item1) + TimeSpan.FromSeconds(1));
        var assigned = Enumerable.Range(0, 4).Select(h => (new StateKey(pack.Sequence(), $"mac-a{h}"), 0)).ToList();
        Assert.Equal(4, await owned.PreloadAsync(assigned));

        await owned.LoadAsync([(new StateKey(pack.Sequence(), "mac-new-1"), 0), (new StateKey(pack.Sequence(), "mac-new-2"), 0)]);
        Assert.True(owned.ShedCount > 0);
        var reads = store.KeysRead;
        await owned.LoadAsync(assigned);

        Assert.Equal(reads, store.KeysRead);
    }

    [Fact]
    public async Task OverItsLimitMemoryLetsTheLeastRecentlyWrittenStatesGoButKeepsTheBatchAtHand()
    {
        var owned = new OwnedStates(store, clock, limit: 10);
        var engine = new CorrelationEngine(pack, clock, metrics);
        var router = new EventRouter(pack, metrics);
        for (var h = 0; h < 10; h++)
        {
            await StepAsync(owned, engine, router, 0, Shell($"mac-{h}", T0 + h, $"s{h}"));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await StepAsync(owned, engine, router, 0, Shell("mac-new", T0 + 100, "s-new"), Shell("mac-9", T0 + 101, "s9b"));

        Assert.InRange(owned.Count, 1, 10);
        Assert.True(owned.ShedCount > 0);
        var reads = store.KeysRead;
        await owned.LoadAsync([(new StateKey(pack.Sequence(), "mac-new"), 0), (new StateKey(pack.Sequence(), "mac-9"), 0)]);
        Assert.Equal(reads, store.KeysRead);
        await owned.LoadAsync([(new StateKey(pack.Sequence(), "mac-0"), 0)]);
        Assert.Equal(reads + 1, store.KeysRead);
    }

    [Fact]
    public async Task AnAssignmentLoadsNoMoreThanItsPreloadLimitAndTheRestAreReadByTheBatchesThatNeedThem()
    {
        var owned = new OwnedStates(store, clock, preloadLimit: 3);
        var keys = Enumerable.Range(0, 10).Select(h => (new StateKey(pack.Sequence(), $"mac-{h}"), 0)).ToList();

        Assert.Equal(3, await owned.PreloadAsync(keys));
        Assert.Equal(3, owned.Count);
        var reads = store.KeysRead;
        await owned.LoadAsync(keys);
        Assert.Equal(reads + 7, store.KeysRead);
    }

    [Fact]
    public async Task AnAssignmentLeavesATenthOfMemoryFreeSoTheFirstBatchWithNewHostsDropsNothing()
    {
        var owned = new OwnedStates(store, clock, limit: 10);
        var keys = Enumerable.Range(0, 20).Select(h => (new StateKey(pack.Sequence(), $"mac-{h}"), 0)).ToList();

        Assert.Equal(9, await owned.PreloadAsync(keys));
        await owned.LoadAsync([(new StateKey(pack.Sequence(), "mac-new"), 0)]);

        Assert.Equal(10, owned.Count);
        Assert.Equal(0, owned.ShedCount);
    }

    [Fact]
    public async Task OverItsLimitMemoryLetsStatesLoadedAtAnAssignmentGoBeforeStatesItsBatchesWrote()
    {
        var owned = new OwnedStates(store, clock, limit: 10);
        var engine = new CorrelationEngine(pack, clock, metrics);
        var router = new EventRouter(pack, metrics);
        for (var h = 0; h < 5; h++)
        {
            await StepAsync(owned, engine, router, 0, Shell($"hot-{h}", T0 + h, $"s{h}"));
        }

        // Loaded later, so they would look the newest by expiry; they were not written, so they go first.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(4, await owned.PreloadAsync(Enumerable.Range(0, 4).Select(h => (new StateKey(pack.Sequence(), $"cold-{h}"), 0))));
        await StepAsync(owned, engine, router, 0, Shell("new-1", T0 + 20, "n1"), Shell("new-2", T0 + 21, "n2"));

        Assert.Equal(2, owned.ShedCount);
        var reads = store.KeysRead;
        await owned.LoadAsync(Enumerable.Range(0, 5).Select(h => (new StateKey(pack.Sequence(), $"hot-{h}"), 0)).ToList());
        Assert.Equal(reads, store.KeysRead);
    }

    [Fact]
    public async Task AStateInMemoryForAnotherPartitionIsReadFromTheStoreForTheNewOne()
    {
        var (owned, engine, router) = Route();
        await StepAsync(owned, engine, router, 0, Shell("mac-1", T0, "s1"));
        var key = new StateKey(pack.Sequence(), "mac-1");

        var reads = store.KeysRead;
        await owned.LoadAsync([(key, 3)]);
        Assert.Equal(reads + 1, store.KeysRead);

        // Now tagged with partition 3: dropping partition 3 drops it.
        owned.Drop([3]);
        Assert.Equal(0, owned.Count);
    }

    [Fact]
    public async Task ANewOwnerTakesNoMoreHandedOverStatesThanItCanLoadAndTheHandoffIsGone()
    {
        var owned = new OwnedStates(store, clock, preloadLimit: 5);
        store.Handoffs[0] = Enumerable.Range(0, 50).Select(h => new StateKey(pack.Sequence(), $"mac-{h}").Member).ToList();

        var handed = await owned.HandedOverAsync([0], pack.Rules.ToDictionary(StateKey.RuleTag, StringComparer.Ordinal));

        Assert.Equal(5, handed.Count);
        Assert.False(store.Handoffs.ContainsKey(0));
    }

    [Fact]
    public async Task GivingUpAPartitionWithNoStateInMemoryClearsAnOlderHandoffOfIt()
    {
        var owned = new OwnedStates(store, clock);
        store.Handoffs[4] = [new StateKey(pack.Sequence(), "mac-old").Member];

        await owned.HandOverAsync([4]);

        Assert.False(store.Handoffs.ContainsKey(4));
    }

    [Fact]
    public async Task TheArraysAWriteSendsFromTheSharedPoolStayIntactUntilTheStoreConfirmsTheWrite()
    {
        var slow = new ConfirmingStore(store);
        var (owned, engine, router) = Route(slow);
        var batch = router.Route(Records(0, Shell("mac-1", T0, "s1"), Shell("mac-2", T0 + 1, "s2"), Shell("mac-3", T0 + 2, "s3")));
        await AdvanceAsync(owned, engine, batch);

        var commit = owned.CommitAsync(engine.Seal(batch), batch.HeldChanges);
        await slow.Sending.Task;

        // The header and the buffered shells are views of arrays from the shared pool.
        Assert.Contains(slow.Views, v => System.Runtime.InteropServices.MemoryMarshal.TryGetArray(v, out var whole) && whole.Count < whole.Array!.Length && whole.Array.Length % Vigil.Eql.Sequences.HeldBufferPool.Granularity == 0);

        // While the write is in flight, everything the pool hands out is overwritten, as the next batch would: an array
        // given back before the store confirmed is among them, and the view the store is still sending turns to poison.
        var rented = PoisonWhatThePoolHandsOut(slow.Views);
        slow.Confirm.SetResult();
        await commit;
        rented.ForEach(Vigil.Eql.Sequences.HeldBufferPool.Shared.Return);

        Assert.True(slow.IntactWhenConfirmed, "a value the store was sending changed before the store confirmed the write");
        Assert.Equal(3, store.States.Count);
    }

    [Fact]
    public async Task ARevokedPartitionsStatesGiveTheirEventsArraysBackToThePoolAndTheOtherPartitionsKeepTheirs()
    {
        var (owned, engine, router) = Route();
        // Downloads wait in the reorder buffer as their bytes, in pooled arrays. (A shell matches the single-event rule
        // too: its alert parses it whole, and the state holds that object instead.)
        await StepAsync(owned, engine, router, 4, Consumed(Curl("mac-1", T0, "c0")), Consumed(Curl("mac-1", T0 + 1, "c1")));
        await StepAsync(owned, engine, router, 5, Consumed(Shell("mac-2", T0, "s2")), Consumed(Curl("mac-2", T0 + Seconds(1), "c2")));

        owned.Drop([4]);

        Assert.Equal(2, owned.ArraysReturnedOnLeaving);

        // mac-2's state is still served from memory with its download's bytes: its sequence completes from there.
        var reads = store.KeysRead;
        var key = new StateKey(pack.Sequence(), "mac-2");
        var kept = (await owned.LoadAsync([(key, 5)]))[key];
        Assert.Equal(reads, store.KeysRead);
        var match = Assert.Single(key.Rule.Engine.Flush(kept).Matches);
        Assert.Equal(["s2", "c2"], match.EventIds);
        Assert.Equal("curl", match.Events[1].Process.Name);
    }

    [Fact]
    public async Task AStateThatLeavesMemoryWhileItsWriteIsInFlightGivesItsArraysBackOnlyOnceTheStoreConfirms()
    {
        var slow = new ConfirmingStore(store);
        var (owned, engine, router) = Route(slow);
        var batch = router.Route(Records(0, Consumed(Curl("mac-1", T0, "c1")), Consumed(Curl("mac-2", T0 + 1, "c2")), Consumed(Curl("mac-3", T0 + 2, "c3"))));
        await AdvanceAsync(owned, engine, batch);
        var commit = owned.CommitAsync(engine.Seal(batch), batch.HeldChanges);
        await slow.Sending.Task;

        // Revoked while the store is still sending the downloads' fields: their arrays must not be handed out yet.
        owned.Drop([0]);
        Assert.Equal(0, owned.ArraysReturnedOnLeaving);
        var rented = PoisonWhatThePoolHandsOut(slow.Views);
        slow.Confirm.SetResult();
        await commit;
        rented.ForEach(Vigil.Eql.Sequences.HeldBufferPool.Shared.Return);

        Assert.True(slow.IntactWhenConfirmed, "a value the store was sending changed before the store confirmed the write");

        // Given back by the write's completion, which may still be running its continuations as this resumes.
        for (var i = 0; i < 500 && owned.ArraysReturnedOnLeaving < 3; i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, owned.ArraysReturnedOnLeaving);
    }

    [Fact]
    public async Task AfterAFailedWriteStatesLeavingMemoryKeepTheirArraysFromThePoolUntilTheHandlerSaysItsBatchIsUndone()
    {
        var (owned, engine, router) = Route();
        await StepAsync(owned, engine, router, 4, Consumed(Curl("mac-1", T0, "c1")));
        await StepAsync(owned, engine, router, 5, Consumed(Curl("mac-2", T0, "c2")));
        await StepAsync(owned, engine, router, 6, Consumed(Curl("mac-3", T0, "c3")));

        // mac-1's next write fails, and its batch is not undone yet (its aggregation commit, say, is still pending):
        // the store client may still send that write, reading mac-1's arrays, so a revoke gives none of them back.
        store.FailWrites = true;
        var batch = router.Route(Records(4, Consumed(Curl("mac-1", T0 + Seconds(1), "c1b"))));
        await AdvanceAsync(owned, engine, batch);
        await Assert.ThrowsAsync<InvalidOperationException>(() => owned.CommitAsync(engine.Seal(batch), batch.HeldChanges));
        store.FailWrites = false;
        owned.Drop([4]);
        owned.Drop([5]);
        Assert.Equal(0, owned.ArraysReturnedOnLeaving);

        // Once the handler says every failed batch is undone, states leaving memory give their arrays back again.
        owned.WritesSettled();
        owned.Drop([6]);
        Assert.Equal(1, owned.ArraysReturnedOnLeaving);
    }

    [Fact]
    public async Task ArraysOfAStateThatLeftMemoryComeBackOnceTheWritesStartedBeforeItLeftFinishWhileLaterWritesStillRun()
    {
        var gated = new GatedStore(store);
        var (owned, engine, router) = Route(gated);
        var first = router.Route(Records(0, Consumed(Curl("mac-1", T0, "c1"))));
        await AdvanceAsync(owned, engine, first);
        var firstWrite = owned.WriteThrough(engine.Seal(first), first.HeldChanges);

        // mac-1's partition is revoked while its write is unfinished; the next batch's write starts after that.
        owned.Drop([0]);
        var second = router.Route(Records(1, Consumed(Curl("mac-2", T0, "c2"))));
        await AdvanceAsync(owned, engine, second);
        var secondWrite = owned.WriteThrough(engine.Seal(second), second.HeldChanges);
        Assert.Equal(0, owned.ArraysReturnedOnLeaving);

        // The first write stored: mac-1's array is back while the second write still runs (with writes always
        // overlapping, waiting for none to be unfinished would keep it out of the pool for good).
        gated.Release();
        await firstWrite;
        for (var i = 0; i < 500 && owned.ArraysReturnedOnLeaving < 1; i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, owned.ArraysReturnedOnLeaving);
        Assert.False(secondWrite.IsCompleted);
        gated.Release();
        await secondWrite;
    }

    // Rents, and overwrites with poison, what the shared pool hands out for values of the sizes a write in flight is
    // sending, as the next batch would: an array given back too early is among them. The caller returns them.
    private static List<byte[]> PoisonWhatThePoolHandsOut(IEnumerable<ReadOnlyMemory<byte>> sending)
    {
        var rented = new List<byte[]>();
        foreach (var length in sending.Select(v => v.Length).Distinct())
        {
            for (var i = 0; i < 64; i++)
            {
                if (Vigil.Eql.Sequences.HeldBufferPool.Shared.Rent(length) is { } array)
                {
                    Array.Fill(array, Vigil.Eql.Sequences.HeldBufferPool.Poison);
                    rented.Add(array);
                }
            }
        }

        return rented;
    }

    // As the consume loop hands events over: parsed for the fields rules read, keeping their bytes, which the engine
    // then holds in pooled arrays rather than as objects.
    private static Vigil.Contracts.Telemetry.TelemetryEvent Consumed(Vigil.Contracts.Telemetry.TelemetryEvent e)
    {
        var parsed = new Vigil.Contracts.Decoding.SelectiveTelemetryParser(Vigil.Rules.TelemetrySchemas.FieldsRead()).Parse(e.ToByteArray());
        parsed.Detach();
        return parsed;
    }

    private static TimeSpan Retention(StateKey key) => key.Rule.Engine.StateRetention + CorrelationEngine.ProcessingSlack;

    private (OwnedStates, CorrelationEngine, EventRouter) Route(ICorrelationStateStore? over = null) =>
        (new OwnedStates(over ?? store, clock), new CorrelationEngine(pack, clock, metrics), new EventRouter(pack, metrics));

    // Loads the states the batch routed events to, as the handler does, and advances them with its events.
    private static async Task AdvanceAsync(OwnedStates owned, CorrelationEngine engine, CorrelationBatch batch) =>
        engine.Advance(batch, await owned.LoadAsync(Wanted(batch)));

    private static List<(StateKey Key, int Partition)> Wanted(CorrelationBatch batch) =>
        batch.Work.Select(w => (w.Key, w.Value.Partition.Partition)).ToList();

    private static async Task StepAsync(OwnedStates owned, CorrelationEngine engine, EventRouter router, int partition, params Vigil.Contracts.Telemetry.TelemetryEvent[] events)
    {
        var batch = router.Route(Records(partition, events));
        var states = await owned.LoadAsync(Wanted(batch));
        try
        {
            engine.Advance(batch, states);
            await owned.CommitAsync(engine.Seal(batch), batch.HeldChanges);
        }
        catch
        {
            owned.Forget(batch.Work.Keys);
            throw;
        }
    }

    /// <summary>A store that holds each write until the test releases it, one at a time in order.</summary>
    private sealed class GatedStore(InMemoryStateStore inner) : ICorrelationStateStore
    {
        private readonly SemaphoreSlim released = new(0);

        public void Release() => released.Release();

        public Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> keys) => inner.ReadAsync(keys);

        public async Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
        {
            await released.WaitAsync();
            await inner.WriteAsync(states, held);
        }

        public Task<IReadOnlyList<(int Partition, string Member)>> ReadHeldAsync(IReadOnlyCollection<int> partitions) => inner.ReadHeldAsync(partitions);

        public Task WriteHandoffAsync(IReadOnlyDictionary<int, IReadOnlyList<string>> members, TimeSpan expiry) => inner.WriteHandoffAsync(members, expiry);

        public Task<IReadOnlyList<(int Partition, string Member)>> TakeHandoffAsync(IReadOnlyCollection<int> partitions, int most) => inner.TakeHandoffAsync(partitions, most);
    }

    /// <summary>
    /// A store that, like a client still sending a command, holds a write's values as views (no copy) until the test
    /// confirms the write; then records whether they were still what it was given, and stores them.
    /// </summary>
    private sealed class ConfirmingStore(InMemoryStateStore inner) : ICorrelationStateStore
    {
        private readonly List<byte[]> given = [];

        public TaskCompletionSource Sending { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Confirm { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<ReadOnlyMemory<byte>> Views { get; } = [];

        public bool IntactWhenConfirmed { get; private set; }

        public Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> keys) => inner.ReadAsync(keys);

        public async Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
        {
            foreach (var write in states)
            {
                foreach (var (_, value) in write.Changes?.Set ?? [])
                {
                    Views.Add(value);
                    given.Add(value.ToArray());
                }
            }

            Sending.SetResult();
            await Confirm.Task;
            IntactWhenConfirmed = Views.Select((v, i) => v.Span.SequenceEqual(given[i])).All(same => same);
            await inner.WriteAsync(states, held);
        }

        public Task<IReadOnlyList<(int Partition, string Member)>> ReadHeldAsync(IReadOnlyCollection<int> partitions) => inner.ReadHeldAsync(partitions);

        public Task WriteHandoffAsync(IReadOnlyDictionary<int, IReadOnlyList<string>> members, TimeSpan expiry) => inner.WriteHandoffAsync(members, expiry);

        public Task<IReadOnlyList<(int Partition, string Member)>> TakeHandoffAsync(IReadOnlyCollection<int> partitions, int most) => inner.TakeHandoffAsync(partitions, most);
    }
}
