using Vigil.Contracts.Telemetry;
using Vigil.Correlator.UnitTests.Support;
using Vigil.Eql.Sequences;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

public sealed class CorrelationEngineTests
{
    private readonly Vigil.Detection.AnalyticPack pack = RoutePack.Load();
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
    private readonly ManualClock clock = new(DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1_000_000));

    [Fact]
    public void ASequenceSplitOverTwoBatchesMatchesOnceTheHostWentQuietForTheLateness()
    {
        var (router, engine, states) = Route();
        Step(router, engine, states, Shell("mac-1", T0, "s1"));
        var second = Step(router, engine, states, Curl("mac-1", T0 + Seconds(3), "c1"));
        Assert.DoesNotContain(second.Matches, m => m.Rule.IsStateful);
        Assert.Equal(1, engine.Held.Count);

        clock.Advance(RoutePack.Lateness);
        var released = new CorrelationBatch();
        var taken = engine.Held.TakeDue(clock.GetUtcNow());
        engine.Release(released, taken, states);

        var (_, match) = Assert.Single(released.Matches);
        Assert.Equal(["s1", "c1"], match.Events.Select(e => e.Event.Id));
        Assert.Equal(0, engine.Held.Count);
        Assert.Contains(released.HeldChanges, c => !c.Held && c.Key.HostId == "mac-1");
    }

    [Fact]
    public void APartialThatOutlivedMaxspanIsRejectedAndCountedForItsRule()
    {
        var rule = pack.Sequence();
        var counter = metrics.Rejected.WithLabels(RoutePack.Analytic, rule.RuleId, "maxspan");
        var before = counter.Value;
        var (router, engine, states) = Route();

        Step(router, engine, states, Shell("mac-2", T0, "s2"));
        var late = Step(router, engine, states, Curl("mac-2", T0 + Seconds(120), "c2"), Noise("mac-2", T0 + Seconds(130), "n"), Curl("mac-2", T0 + Seconds(130), "c3"));

        Assert.DoesNotContain(late.Matches, m => m.Rule.IsStateful);
        Assert.Equal(1, counter.Value - before);
    }

    [Fact]
    public void SealingAnEmptiedStateDeletesItAndAChangedOneCarriesItsRulesRetention()
    {
        var (router, engine, states) = Route();
        var batch = Step(router, engine, states, Shell("mac-3", T0, "s3"));
        var writes = engine.Seal(batch);

        var write = Assert.Single(writes);
        Assert.NotNull(write.Changes);
        Assert.Equal(pack.Sequence().Engine.StateRetention + CorrelationEngine.ProcessingSlack, write.Expiry);
    }

    [Fact]
    public void AStateOverItsByteLimitIsTrimmedOldestPartialFirstWhenSealedAndTheTrimIsCountedAsStateLimit()
    {
        var keyed = Vigil.Detection.AnalyticPack.Load(
            RoutePack.Analytic,
            Path.Combine(AppContext.BaseDirectory, "files", "keyed_pack"),
            new Vigil.Detection.EngineDefaults(RoutePack.Lateness) { MaxStateBytes = 4096 });
        var rule = keyed.Rules.Single();
        var counter = metrics.Rejected.WithLabels(RoutePack.Analytic, rule.RuleId, "state_limit");
        var before = counter.Value;
        var engine = new CorrelationEngine(keyed, clock, metrics);
        var states = new Dictionary<StateKey, HostState<TelemetryEvent>>();

        // Forty shells, each its own pending sequence (joined by process.entity_id), far over 4 KiB together.
        var batch = new EventRouter(keyed, metrics).Route(Records(0, Enumerable.Range(0, 40).Select(i => Shell("mac-4", T0 + Seconds(i), $"s{i}", entity: $"bash-{i}")).ToArray()));
        states[batch.Work.Keys.Single()] = rule.Engine.CreateState("mac-4");
        engine.Advance(batch, states);
        var write = Assert.Single(engine.Seal(batch));

        Assert.InRange(write.Changes!.StateBytes, 1, 4096);
        Assert.InRange(write.Changes.Set.Sum(f => f.Key.Length + f.Value.Length), 1, 4096);
        Assert.True(counter.Value - before > 0);
        var kept = StateFormat.Read(rule, StoredState.OfFields(write.Changes.CopiedSet()));
        Assert.InRange(kept.PendingSequenceCount, 1, 39);
    }

    [Fact]
    public void AStoredStateThatNamesAnotherHostIsRefusedAndTakesNoEvents()
    {
        var rule = pack.Sequence();
        var (router, engine, states) = Route();
        var other = Step(router, engine, states, Shell("mac-9", T0, "s9"));
        var stored = StateFormat.Read(rule, StoredState.OfFields(Assert.Single(engine.Seal(other)).Changes!.CopiedSet()));
        Assert.Equal("mac-9", stored.HostId);

        // Filed under mac-1's key (misfiled, or a corrupted or old blob): mac-1's events must not advance it.
        var batch = router.Route(Records(0, Shell("mac-1", T0 + Seconds(1), "s1"), Curl("mac-1", T0 + Seconds(2), "c1")));
        var key = new StateKey(rule, "mac-1");
        var work = batch.Work[key];
        var refused = Assert.Throws<ArgumentException>(() => engine.Advance(batch, new Dictionary<StateKey, HostState<TelemetryEvent>> { [key] = stored }));

        // The same refusal the engine's per-event check gives.
        var perEvent = Assert.Throws<ArgumentException>(() => rule.Engine.Process(stored, work.Events[0], work.Classifications[0]));
        Assert.Equal(perEvent.Message, refused.Message);
        Assert.Contains("belongs to host 'mac-1', but the state is host 'mac-9'", refused.Message, StringComparison.Ordinal);
        Assert.Empty(batch.Changed);
        Assert.DoesNotContain(batch.Matches, m => m.Rule.IsStateful);
        Assert.Equal(1, stored.BufferedEventCount);
    }

    private (EventRouter, CorrelationEngine, Dictionary<StateKey, HostState<TelemetryEvent>>) Route() =>
        (new EventRouter(pack, metrics), new CorrelationEngine(pack, clock, metrics), []);

    private static CorrelationBatch Step(EventRouter router, CorrelationEngine engine, Dictionary<StateKey, HostState<TelemetryEvent>> states, params TelemetryEvent[] events)
    {
        var batch = router.Route(Records(0, events));
        foreach (var key in batch.Work.Keys)
        {
            if (!states.ContainsKey(key))
            {
                states[key] = key.Rule.Engine.CreateState(key.HostId);
            }
        }

        engine.Advance(batch, states);
        return batch;
    }
}
