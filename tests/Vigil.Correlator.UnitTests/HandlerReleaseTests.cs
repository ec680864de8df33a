using Vigil.Contracts.Telemetry;
using Vigil.Correlator.UnitTests.Support;
using Vigil.Detection;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

/// <summary>
/// The handler's own paths around held states (files/watermark_pack, 3 s lateness, early reports off): states that
/// fall due while batches arrive go out with the next batch, in its publish and its one store write; a batch that
/// fails puts them back so the next batch releases them at once; and what a failed batch started holding is still
/// recorded in the store's held set by its retry.
/// </summary>
public sealed class HandlerReleaseTests
{
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(3);

    private readonly AnalyticPack pack = AnalyticPack.Load("handler-tests", Path.Combine(AppContext.BaseDirectory, "files", "watermark_pack"), Lateness);
    private readonly ManualClock clock = new(At(0));
    private readonly InMemoryStateStore store = new();
    private readonly AlertTopic topic = new();
    private readonly RememberingMemory memory = new();
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
    private readonly CorrelationHandler handler;
    private readonly CorrelationEngine engine;

    public HandlerReleaseTests() => (handler, engine) = NewOwner();

    [Fact]
    public async Task AHeldSequenceDueWhenAnotherHostsEventArrivesIsReportedWithThatBatchAndStoredInItsOneWrite()
    {
        await ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await ReceiveAsync(2, Curl("mac-1", T(2), "c"));
        Assert.Empty(topic.Records);
        var calls = store.WriteCalls.Count;

        // No release pass runs: the batch of another host at 5.5 s carries mac-1's release.
        await ReceiveAsync(5.5, Shell("mac-2", T(5.5), "s2"));

        Assert.Equal(3, topic.Records.Count);
        Assert.All(topic.Records, a => Assert.Equal("mac-1", a.Host.Id));
        var (written, held) = Assert.Single(store.WriteCalls.Skip(calls));
        Assert.Subset(written.ToHashSet(StringComparer.Ordinal), Members("mac-1").Concat(Members("mac-2")).ToHashSet(StringComparer.Ordinal));
        Assert.Equal(Members("mac-1"), held.Where(h => !h.Held).Select(h => h.Key.Member).Order(StringComparer.Ordinal));
        Assert.Equal(Members("mac-2"), held.Where(h => h.Held).Select(h => h.Key.Member).Order(StringComparer.Ordinal));
        Assert.Equal(Members("mac-2"), store.Held[0].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WhileBatchesKeepComingAReleasePassLeavesDueStatesToTheNextBatchAndReleasesThemOnceBatchesStop()
    {
        await ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await ReceiveAsync(2, Curl("mac-1", T(2), "c"));
        // mac-1's curl is due at 5 s; a batch of another host 50 ms before that takes what is due then (the shell).
        await ReceiveAsync(4.95, Shell("mac-2", T(4.95), "s2"));
        var calls = store.WriteCalls.Count;

        // The pass at 5 s finds the curl due, but a batch took due states 50 ms ago: it leaves it to the next batch,
        // with no publish and no write of its own, and asks to look again once that batch should have come.
        clock.Now = At(5);
        var again = await handler.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Empty(topic.Records);
        Assert.Equal(calls, store.WriteCalls.Count);
        Assert.Equal(At(4.95) + CorrelationHandler.BatchReleaseGrace, again);

        // No batch came: the next pass releases mac-1's sequence.
        clock.Now = again!.Value;
        await handler.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(3, topic.Records.Count);
        Assert.All(topic.Records, a => Assert.Equal("mac-1", a.Host.Id));
    }

    [Fact]
    public async Task ABatchThatTookTheDueStatesAndFailedDoesNotHoldTheReleasePassBack()
    {
        await ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await ReceiveAsync(2, Curl("mac-1", T(2), "c"));

        // At 5 s the batch takes mac-1's due sequence, fails to publish it and puts it back.
        topic.FailPublish = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiveAsync(5, Shell("mac-2", T(5), "s2")));
        topic.FailPublish = false;

        // The pass 10 ms later does not wait for a batch that released nothing: it reports mac-1's sequence itself.
        clock.Now = At(5.01);
        await handler.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(3, topic.Records.Count);
        Assert.All(topic.Records, a => Assert.Equal("mac-1", a.Host.Id));
    }

    [Fact]
    public async Task ASequenceDueInABatchWhosePublishFailedIsReportedByTheNextBatchNotALatenessLater()
    {
        await ReceiveAsync(0, Shell("mac-1", T(0), "s"));
        await ReceiveAsync(2, Curl("mac-1", T(2), "c1"));
        await ReceiveAsync(4.5, Curl("mac-1", T(4.5), "c2"));
        Assert.Empty(topic.Records);

        // At 5.5 s c1 has waited the lateness (c2 has not): the batch releases mac-1 through c1, keeps c2, and fails.
        topic.FailPublish = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiveAsync(5.5, Shell("mac-2", T(5.5), "s2")));
        topic.FailPublish = false;

        // The consume loop retries the batch right away: mac-1's sequence goes out with it.
        await ReceiveAsync(5.6, Shell("mac-2", T(5.5), "s2"));

        Assert.Equal(3, topic.Records.Count);
        Assert.All(topic.Records, a => Assert.Equal("mac-1", a.Host.Id));

        // c2 still waits for its own lateness.
        Assert.Equal(At(7.5), engine.Held.NextDue);
    }

    [Fact]
    public async Task AHostFirstHeldByABatchWhoseWriteFailedIsRecordedInTheHeldSetByItsRetry()
    {
        store.FailWrites = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => ReceiveAsync(0, Shell("mac-1", T(0), "s")));
        store.FailWrites = false;

        await ReceiveAsync(0.1, Shell("mac-1", T(0), "s"));

        // A next owner learns from the held set that mac-1 holds an event, and releases it once the lateness passed.
        Assert.Equal(Members("mac-1"), store.Held[0].Order(StringComparer.Ordinal));
        var (next, nextEngine) = NewOwner();
        clock.Now = At(0.5);
        await next.OnPartitionsAssignedAsync([new Vigil.Messaging.TopicPartitionRef("telemetry", 0)]);
        Assert.Equal(At(3.5), nextEngine.Held.NextDue);
    }

    [Fact]
    public async Task ANewOwnerLoadsTheStatesTheLastOwnerHandedOverAsItIsAssignedAndReadsNoneWithItsFirstBatch()
    {
        var partition = new Vigil.Messaging.TopicPartitionRef("telemetry", 0);
        await handler.OnPartitionsAssignedAsync([partition]);
        await ReceiveAsync(0, Shell("mac-1", T(0), "s1"), Shell("mac-2", T(0), "s2"), Shell("mac-3", T(0), "s3"));
        clock.Now = At(1);
        await handler.OnPartitionsRevokedAsync([partition]);
        Assert.Equal(9, store.Handoffs[0].Count);

        // Meanwhile mac-3's states left the store (expired): the handoff names them, the store has nothing.
        Members("mac-3").ForEach(m => store.States.Remove(m));
        var (next, _) = NewOwner();
        var reads = store.KeysRead;
        await next.OnPartitionsAssignedAsync([partition]);
        Assert.Equal(reads + 9, store.KeysRead);
        Assert.False(store.Handoffs.ContainsKey(0));

        // The first batch after the assignment continues every host from memory: not one read.
        reads = store.KeysRead;
        clock.Now = At(2);
        await next.HandleAsync(Records(0, Curl("mac-1", T(2), "c1"), Curl("mac-2", T(2), "c2"), Curl("mac-3", T(2), "c3")), CancellationToken.None);
        clock.Now = At(5.5);
        await next.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(reads, store.KeysRead);
        Assert.Equal(["mac-1", "mac-2"], topic.Records.Select(a => a.Host.Id).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnOwnerThatCannotLoadTheHandedOverStatesStillTakesThePartitionAndReadsThemWithItsFirstBatch()
    {
        var partition = new Vigil.Messaging.TopicPartitionRef("telemetry", 0);
        await handler.OnPartitionsAssignedAsync([partition]);
        await ReceiveAsync(0, Shell("mac-1", T(0), "s1"));
        clock.Now = At(1);
        await handler.OnPartitionsRevokedAsync([partition]);

        var (next, _) = NewOwner();
        store.FailReads = true;
        await next.OnPartitionsAssignedAsync([partition]);
        store.FailReads = false;

        var reads = store.KeysRead;
        clock.Now = At(2);
        await next.HandleAsync(Records(0, Curl("mac-1", T(2), "c1")), CancellationToken.None);
        clock.Now = At(5.5);
        await next.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(reads + 3, store.KeysRead);
        Assert.Equal(["mac-1"], topic.Records.Select(a => a.Host.Id).Distinct());
    }

    [Fact]
    public async Task TheStateReadsMetricCountsTheStatesReadFromRedisAndThoseMemoryKnewToBeEmpty()
    {
        var fromRedis = metrics.StateReads.WithLabels("handler-tests", "redis");
        var knownEmpty = metrics.StateReads.WithLabels("handler-tests", "known_empty");
        var stateful = pack.Rules.Count(r => r.IsStateful);

        await ReceiveAsync(0, Curl("mac-1", T(0), "c0"));
        clock.Now = At(3.5);
        await handler.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(stateful, fromRedis.Value);
        Assert.Equal(0, knownEmpty.Value);

        // Past every rule's retention the host's states, emptied by the release, start over without a read.
        var later = 3.5 + pack.Rules.Max(r => r.Engine.StateRetention + CorrelationEngine.ProcessingSlack).TotalSeconds + 60;
        await ReceiveAsync(later, Curl("mac-1", T(later), "c1"));

        Assert.Equal(stateful, fromRedis.Value);
        Assert.Equal(stateful, knownEmpty.Value);
    }

    private static DateTimeOffset At(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1_000_000) + TimeSpan.FromSeconds(seconds);

    private static long T(double seconds) => T0 + Seconds(seconds);

    /// <summary>The members of <paramref name="host"/>'s states, one per sequence rule, in order.</summary>
    private List<string> Members(string host) => pack.Rules.Where(r => r.IsStateful).Select(r => new StateKey(r, host).Member).Order(StringComparer.Ordinal).ToList();

    /// <summary>A correlator over the shared store, alert topic and memory, wired as the service wires it.</summary>
    private (CorrelationHandler, CorrelationEngine) NewOwner() => TestHandlers.New(pack, store, topic, memory, clock, metrics, "correlator/handler-tests");

    private Task ReceiveAsync(double at, params TelemetryEvent[] events)
    {
        clock.Now = At(at);
        return handler.HandleAsync(Records(0, events), CancellationToken.None);
    }
}
