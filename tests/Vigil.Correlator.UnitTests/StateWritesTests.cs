using Vigil.Contracts.Telemetry;
using Vigil.Correlator.UnitTests.Support;
using Vigil.Detection;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

/// <summary>What a batch writes to the store: the fields it changed, not the state's whole history.</summary>
public sealed class StateWritesTests
{
    private readonly ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1_000_000));
    private readonly InMemoryStateStore store = new();
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));

    [Fact]
    public async Task AnEventThatBecomesOnePartialOnAHostHoldingAThousandWritesThatPartialAndDeletesOnlyItsBufferedCopy()
    {
        var keyed = Keyed();
        var (owned, engine, router) = Route(keyed);
        var key = new StateKey(keyed.Rules.Single(), "mac-1");

        // A thousand installer shells, each its own pending sequence (joined by process.entity_id); the host goes quiet.
        await StepAsync(owned, engine, router, Enumerable.Range(0, 1_000).Select(i => Shell("mac-1", T0 + (i * 1_000_000L), $"s{i}", entity: $"bash-{i}")).ToArray());
        await ReleaseQuietAsync(owned, engine);
        Assert.Equal(1_000, PartialFields(key));
        var stateBytes = store.States[key.Member].Bytes;

        // One more shell: it waits in the reorder buffer (one field), then leaves it as the host's 1,001st partial.
        await StepAsync(owned, engine, router, Shell("mac-1", T0 + Seconds(10), "s-new", entity: "bash-new"));
        var (set, deleted, bytes) = (store.FieldsSet, store.FieldsDeleted, store.BytesWritten);
        await ReleaseQuietAsync(owned, engine);

        Assert.Equal(2, store.FieldsSet - set); // the new partial and the header
        Assert.Equal(1, store.FieldsDeleted - deleted); // the event's reorder-buffer field
        Assert.InRange(store.BytesWritten - bytes, 1, 2_000);
        Assert.True(stateBytes > 200_000, $"the state holds {stateBytes} bytes");
        Assert.Equal(1_001, PartialFields(key));
    }

    [Fact]
    public async Task AStateOverItsByteLimitDeletesItsOldestPartialsFieldsAndTheStoreHoldsWhatMemoryHolds()
    {
        var keyed = Keyed(maxStateBytes: 16 * 1024);
        var rule = keyed.Rules.Single();
        var counter = metrics.Rejected.WithLabels(keyed.Analytic, rule.RuleId, "state_limit");
        var before = counter.Value;
        var (owned, engine, router) = Route(keyed);
        var key = new StateKey(rule, "mac-2");

        for (var batch = 0; batch < 10; batch++)
        {
            await StepAsync(owned, engine, router, Enumerable.Range(batch * 20, 20).Select(i => Shell("mac-2", T0 + Seconds(i), $"s{i}", entity: $"bash-{i}")).ToArray());
        }

        await ReleaseQuietAsync(owned, engine);

        var stored = store.States[key.Member];
        var live = (await owned.LoadAsync([(key, 0)]))[key];
        var reread = StateFormat.Read(rule, store.Stored(key.Member));
        Assert.InRange(stored.Bytes, 1, 16 * 1024);
        Assert.True(store.FieldsDeleted > 0);
        Assert.True(counter.Value - before > 0);
        Assert.Equal(live.PendingSequenceCount, reread.PendingSequenceCount);
        Assert.Equal(live.PendingSequenceCount, PartialFields(key));
        Assert.InRange(live.PendingSequenceCount, 10, 199);

        // The newest partial stayed and the oldest went: a curl of the newest shell's process completes, of the oldest not.
        var newest = Download("mac-2", T0 + Seconds(300), "c-new", "bash-199");
        var oldest = Download("mac-2", T0 + Seconds(301), "c-old", "bash-0");
        var completed = rule.Engine.Process(reread, newest).Matches.Concat(rule.Engine.Process(reread, oldest).Matches).Concat(rule.Engine.Flush(reread).Matches);
        Assert.Equal(["s199", "c-new"], Assert.Single(completed).EventIds);
    }

    [Fact]
    public async Task AStateWhoseOnlyPartialIsOverItsByteLimitLeavesNoKeyInTheStoreAndCountsTheEviction()
    {
        // A limit below one partial's size: the shell's partial is evicted as it is written, which leaves the state empty.
        var keyed = Keyed(maxStateBytes: 64);
        var rule = keyed.Rules.Single();
        var counter = metrics.Rejected.WithLabels(keyed.Analytic, rule.RuleId, "state_limit");
        var before = counter.Value;
        var (owned, engine, router) = Route(keyed);
        var key = new StateKey(rule, "mac-5");

        await StepAsync(owned, engine, router, Shell("mac-5", T0, "s1", entity: "bash-1"));
        await ReleaseQuietAsync(owned, engine);

        Assert.Equal(1, counter.Value - before);
        Assert.False(store.States.ContainsKey(key.Member), "an empty state is deleted, not kept as a header-only hash");
        Assert.Equal(0, (await owned.LoadAsync([(key, 0)]))[key].PendingSequenceCount);

        // The host's next event is written whole (header and buffered event), so a restarted correlator reads it back.
        await StepAsync(owned, engine, router, Shell("mac-5", T0 + Seconds(10), "s2", entity: "bash-2"));
        var reread = StateFormat.Read(rule, store.Stored(key.Member));
        Assert.Equal((1, 0), (reread.BufferedEventCount, reread.PendingSequenceCount));
    }

    [Fact]
    public async Task ARestartedCorrelatorReadsTheSameStateBackFromTheStoreAndCompletesTheSequence()
    {
        var pack = RoutePack.Load();
        var (owned, engine, router) = Route(pack);
        await StepAsync(owned, engine, router, Shell("mac-3", T0, "s1"));
        await ReleaseQuietAsync(owned, engine);
        var key = new StateKey(pack.Sequence(), "mac-3");
        var before = (await owned.LoadAsync([(key, 0)]))[key];

        // A new process: nothing in memory, everything from the store.
        var (restarted, restartedEngine, restartedRouter) = Route(pack);
        var reloaded = (await restarted.LoadAsync([(key, 0)]))[key];
        Assert.Equal(before.PendingSequenceCount, reloaded.PendingSequenceCount);
        Assert.Equal(before.LatestTimestamp, reloaded.LatestTimestamp);
        Assert.Equal(1, reloaded.PendingSequenceCount);

        await StepAsync(restarted, restartedEngine, restartedRouter, Curl("mac-3", T0 + Seconds(5), "c1"));
        var batch = await ReleaseQuietAsync(restarted, restartedEngine);
        var match = Assert.Single(batch.Matches, m => m.Rule.IsStateful);
        Assert.Equal(["s1", "c1"], match.Match.EventIds);
    }

    [Fact]
    public async Task AStateAnEarlierVersionStoredAsOneBlobLoadsAndItsNextWriteReplacesTheBlobWithFields()
    {
        var pack = RoutePack.Load();
        var rule = pack.Sequence();
        var key = new StateKey(rule, "mac-4");
        var old = rule.Engine.CreateState("mac-4");
        rule.Engine.Process(old, Shell("mac-4", T0, "s1"));
        rule.Engine.AdvanceWatermark(old, T0 + Seconds(1));
        store.PutBlob(key.Member, StateFormat.WriteBlob(rule, old), TimeSpan.FromMinutes(5));
        var (owned, engine, router) = Route(pack);

        await StepAsync(owned, engine, router, Curl("mac-4", T0 + Seconds(5), "c1"));

        var stored = store.States[key.Member];
        Assert.Null(stored.Blob);
        Assert.Contains(stored.Fields.Values, f => f.Key is [(byte)'h']);
        var migrated = StateFormat.Read(rule, store.Stored(key.Member));
        Assert.Equal((1, 1), (migrated.BufferedEventCount, migrated.PendingSequenceCount));
        var batch = await ReleaseQuietAsync(owned, engine);
        Assert.Equal(["s1", "c1"], Assert.Single(batch.Matches, m => m.Rule.IsStateful).Match.EventIds);
    }

    private static AnalyticPack Keyed(int maxStateBytes = 1 << 20) => AnalyticPack.Load(
        RoutePack.Analytic,
        Path.Combine(AppContext.BaseDirectory, "files", "keyed_pack"),
        new EngineDefaults(RoutePack.Lateness) { MaxStateBytes = maxStateBytes, ReportEarly = true });

    private static TelemetryEvent Download(string host, long timestamp, string id, string parentEntity)
    {
        var e = Curl(host, timestamp, id);
        e.Process.Parent = new Vigil.Contracts.Telemetry.Process { EntityId = parentEntity, Name = "bash" };
        return e;
    }

    private int PartialFields(StateKey key) => store.States[key.Member].Fields.Values.Count(f => f.Key[0] == (byte)'p');

    private (OwnedStates, CorrelationEngine, EventRouter) Route(AnalyticPack pack) => (new OwnedStates(store, clock), new CorrelationEngine(pack, clock, metrics), new EventRouter(pack, metrics));

    private async Task<CorrelationBatch> ReleaseQuietAsync(OwnedStates owned, CorrelationEngine engine)
    {
        clock.Advance(TimeSpan.FromSeconds(3));
        var taken = engine.Held.TakeDue(clock.GetUtcNow());
        var batch = new CorrelationBatch();
        engine.Release(batch, taken, await owned.LoadAsync(taken.Select(t => (t.Key, t.Partition.Partition)).ToList()));
        await owned.CommitAsync(engine.Seal(batch), batch.HeldChanges);
        return batch;
    }

    private static async Task<CorrelationBatch> StepAsync(OwnedStates owned, CorrelationEngine engine, EventRouter router, params TelemetryEvent[] events)
    {
        var batch = router.Route(Records(0, events));
        var states = await owned.LoadAsync(batch.Work.Select(w => (w.Key, w.Value.Partition.Partition)).ToList());
        engine.Advance(batch, states);
        await owned.CommitAsync(engine.Seal(batch), batch.HeldChanges);
        return batch;
    }
}
