using Vigil.Contracts.Alerts;
using Vigil.Correlator.UnitTests.Support;
using Vigil.Detection;
using Vigil.Messaging;
using static Vigil.Correlator.UnitTests.Support.Telemetry;

namespace Vigil.Correlator.UnitTests;

/// <summary>
/// The handler's deferred durability (files/watermark_pack, 3 s lateness): it takes the next batch while the previous
/// one's state write is in flight, sends each write only after the one before it completed, and when a write fails puts
/// memory back for that batch and every later one, refusing batches until the consume loop has rewound; the retry then
/// stores exactly what a run without the failure stores. A batch's alerts are published while the next batch is handled,
/// and its write is sent only once the broker acknowledged them.
/// </summary>
public sealed class DeferredWriteTests
{
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(3);

    private readonly AnalyticPack pack = AnalyticPack.Load("deferred-tests", Path.Combine(AppContext.BaseDirectory, "files", "watermark_pack"), Lateness);
    private readonly ManualClock clock = new(At(0));
    private readonly CorrelatorMetrics metrics = new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));

    [Fact]
    public async Task TheNextBatchIsHandledWhileThePreviousWriteIsInFlightAndItsOwnWriteIsSentOnlyAfterThatOneCompleted()
    {
        var store = new GatedStore(new InMemoryStateStore());
        var (handler, _) = NewOwner(store, new AlertTopic());

        var first = await handler.HandleDeferredAsync(Records(0, Shell("mac-1", T(0), "s1")), CancellationToken.None);
        var second = await handler.HandleDeferredAsync(Records(1, Shell("mac-2", T(0.1), "s2")), CancellationToken.None);

        // Both handled; only the first write was sent, and it is still in flight.
        Assert.Equal(1, store.Sent);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        store.Complete(0);
        await first;
        await store.WaitForSentAsync(2);
        Assert.False(second.IsCompleted);
        store.Complete(1);
        await second;

        Assert.Equal(Members("mac-1").Concat(Members("mac-2")).Order(StringComparer.Ordinal), store.Inner.States.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AFailedWriteUndoesItsBatchAndTheOneHandledAfterItAndTheirRetryStoresWhatARunWithoutTheFailureStores()
    {
        // Without the failure: the shell and the curl handled (and written) at 2.1 s, released at 5.5 s.
        var reference = new InMemoryStateStore();
        var referenceTopic = new AlertTopic();
        var (faultless, _) = NewOwner(reference, referenceTopic);
        clock.Now = At(2.1);
        await faultless.HandleAsync(Records(0, Shell("mac-1", T(0), "s")), CancellationToken.None);
        await faultless.HandleAsync(Records(0, Curl("mac-1", T(2), "c")), CancellationToken.None);
        var referenceStored = Snapshot(reference);

        var store = new GatedStore(new InMemoryStateStore());
        var topic = new AlertTopic();
        var (handler, engine) = NewOwner(store, topic);
        clock.Now = At(0);
        var shell = await handler.HandleDeferredAsync(Records(0, Shell("mac-1", T(0), "s")), CancellationToken.None);
        clock.Now = At(2);
        var curl = await handler.HandleDeferredAsync(Records(0, Curl("mac-1", T(2), "c")), CancellationToken.None);

        store.Fail(0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => shell);
        await Assert.ThrowsAsync<StateWriteSkippedException>(() => curl);

        // The curl's write was never sent: the store holds neither batch.
        Assert.Equal(1, store.Sent);
        Assert.Empty(store.Inner.States);

        // Until the consume loop has rewound, the handler refuses batches rather than build on what the store lacks.
        clock.Now = At(2.05);
        await Assert.ThrowsAsync<InvalidOperationException>(() => handler.HandleDeferredAsync(Records(0, Shell("mac-2", T(2), "x")), CancellationToken.None));
        Assert.Null(engine.Held.NextDue);

        handler.Rewound();
        store.PassThrough = true;
        clock.Now = At(2.1);
        await handler.HandleAsync(Records(0, Shell("mac-1", T(0), "s")), CancellationToken.None);
        await handler.HandleAsync(Records(0, Curl("mac-1", T(2), "c")), CancellationToken.None);

        Assert.Equal(referenceStored, Snapshot(store.Inner));
        Assert.Equal(Members("mac-1"), store.Inner.Held[0].Order(StringComparer.Ordinal));

        clock.Now = At(5.5);
        await faultless.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        await handler.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(3, referenceTopic.Records.Count);
        Assert.Equal(referenceTopic.Records.Select(a => a.Rule.Id).Order(StringComparer.Ordinal), topic.Records.Select(a => a.Rule.Id).Order(StringComparer.Ordinal));
        Assert.Equal(Snapshot(reference), Snapshot(store.Inner));
    }

    [Fact]
    public async Task AReleasePassWhileABatchWriteIsInFlightIsWrittenAfterItAndFailsWithIt()
    {
        var store = new GatedStore(new InMemoryStateStore()) { PassThrough = true };
        var topic = new AlertTopic();
        var (handler, engine) = NewOwner(store, topic);
        await handler.HandleAsync(Records(0, Shell("mac-1", T(0), "s")), CancellationToken.None);
        clock.Now = At(2);
        await handler.HandleAsync(Records(0, Curl("mac-1", T(2), "c")), CancellationToken.None);

        store.PassThrough = false;
        clock.Now = At(4.9);
        var batch = await handler.HandleDeferredAsync(Records(1, Shell("mac-2", T(4.9), "s2")), CancellationToken.None);
        clock.Now = At(5.5);
        var release = handler.ReleaseQuietHostsAsync(TimeSpan.FromMinutes(1), CancellationToken.None);

        // The pass published mac-1's sequences and waits for the batch's write before sending its own.
        await store.WaitForSentAsync(1);
        for (var i = 0; i < 500 && topic.Records.Count < 3; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, topic.Records.Count);
        Assert.Equal(1, store.Sent);
        Assert.False(release.IsCompleted);
        store.Fail(0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => batch);
        await Assert.ThrowsAnyAsync<Exception>(() => release);
        Assert.Equal(1, store.Sent);

        // Both are put back, latest first: mac-1's states as the batch at 4.9 s took them (due since 3 s: the shell's
        // arrival), mac-2's forgotten; after the rewind both go through, mac-1's release with the retried batch.
        Assert.Equal(At(3), engine.Held.NextDue);
        handler.Rewound();
        store.PassThrough = true;
        await handler.HandleAsync(Records(1, Shell("mac-2", T(4.9), "s2")), CancellationToken.None);
        Assert.Equal(Members("mac-2"), store.Inner.Held[1].Order(StringComparer.Ordinal));
        Assert.Empty(store.Inner.Held[0]);
        Assert.Equal(3, topic.Records.Count);
    }

    [Fact]
    public async Task AStateThatLeftMemoryWhileItsWriteWasInFlightIsReadOnlyAfterThatWriteLanded()
    {
        var store = new GatedStore(new InMemoryStateStore());
        var owned = new OwnedStates(store, clock);
        var engine = new CorrelationEngine(pack, clock, metrics);
        var batch = new EventRouter(pack, metrics).Route(Records(0, Shell("mac-1", T(0), "s")));
        engine.Advance(batch, await owned.LoadAsync(batch.Work.Select(w => (w.Key, w.Value.Partition.Partition)).ToList()));
        var write = owned.WriteThrough(engine.Seal(batch), batch.HeldChanges);
        var keys = batch.Work.Keys.ToList();

        // It leaves memory (shed, or expired there) before the store has it.
        owned.Forget(keys);
        var read = owned.LoadAsync(keys.Select(k => (k, 0)).ToList());
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(read.IsCompleted);

        store.Complete(0);
        await write;
        var states = await read;
        Assert.All(keys, k => Assert.NotNull(k.Rule.Engine.ExpiresAt(states[k])));
    }

    [Fact]
    public async Task ABatchsAlertsArePublishedWhileTheNextBatchIsHandledAndItsStateWriteIsSentOnlyOnceTheBrokerAcknowledgedThem()
    {
        var store = new GatedStore(new InMemoryStateStore()) { PassThrough = true };
        var topic = new GatedAlertTopic();
        var (handler, _) = NewOwner(store, topic);
        await ShellAndCurlOnMac1(handler);

        // At 5.5 s mac-1's sequences are due: released with the next batch, their alerts go to the broker.
        store.PassThrough = false;
        clock.Now = At(5.5);
        var first = await handler.HandleDeferredAsync(Records(1, Shell("mac-2", T(5.5), "s2")), CancellationToken.None);
        await topic.WaitForRequestsAsync(1);
        clock.Now = At(5.6);
        var second = await handler.HandleDeferredAsync(Records(2, Shell("mac-3", T(5.6), "s3")), CancellationToken.None);

        // The second batch was handled with the first one's alerts unacknowledged, and no state write was sent: the
        // store must not move on before the alerts are out.
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Equal(0, store.Sent);
        Assert.Empty(topic.Records);

        topic.Acknowledge(0);
        await store.WaitForSentAsync(1);
        Assert.Equal(3, topic.Records.Count);
        store.Complete(0);
        await first;
        await store.WaitForSentAsync(2);
        store.Complete(1);
        await second;
        Assert.Equal(1, topic.Requests);
    }

    [Fact]
    public async Task AFailedAlertPublishUndoesItsBatchAndTheNextAndTheirRetryPublishesEachAlertOnceAndStoresWhatARunWithoutTheFailureStores()
    {
        var reference = new InMemoryStateStore();
        var referenceTopic = new AlertTopic();
        var (faultless, _) = NewOwner(reference, referenceTopic);
        await ShellAndCurlOnMac1(faultless);
        clock.Now = At(5.5);
        await faultless.HandleAsync(Records(1, Shell("mac-2", T(5.5), "s2")), CancellationToken.None);
        clock.Now = At(5.6);
        await faultless.HandleAsync(Records(2, Shell("mac-3", T(5.6), "s3")), CancellationToken.None);

        var store = new GatedStore(new InMemoryStateStore()) { PassThrough = true };
        var topic = new GatedAlertTopic();
        var (handler, engine) = NewOwner(store, topic);
        await ShellAndCurlOnMac1(handler);
        store.PassThrough = false;
        clock.Now = At(5.5);
        var first = await handler.HandleDeferredAsync(Records(1, Shell("mac-2", T(5.5), "s2")), CancellationToken.None);
        clock.Now = At(5.6);
        var second = await handler.HandleDeferredAsync(Records(2, Shell("mac-3", T(5.6), "s3")), CancellationToken.None);

        await topic.WaitForRequestsAsync(1);
        topic.Refuse(0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<StateWriteSkippedException>(() => second);
        Assert.Equal(0, store.Sent);
        Assert.Empty(topic.Records);

        // Batches are refused until the rewind, and both are undone: mac-1's sequences are held again, due as before (3 s
        // after they arrived at 2.1 s), mac-2's and mac-3's forgotten.
        await Assert.ThrowsAsync<InvalidOperationException>(() => handler.HandleDeferredAsync(Records(1, Shell("mac-2", T(5.5), "s2")), CancellationToken.None));
        Assert.Equal(At(5.1), engine.Held.NextDue);
        Assert.Equal(3, engine.Held.Count);

        handler.Rewound();
        store.PassThrough = true;
        topic.PassThrough = true;
        clock.Now = At(5.5);
        await handler.HandleAsync(Records(1, Shell("mac-2", T(5.5), "s2")), CancellationToken.None);
        clock.Now = At(5.6);
        await handler.HandleAsync(Records(2, Shell("mac-3", T(5.6), "s3")), CancellationToken.None);

        Assert.Equal(3, topic.Records.Count);
        Assert.Equal(referenceTopic.Records.Select(a => a.Id).Order(StringComparer.Ordinal), topic.Records.Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Equal(Snapshot(reference), Snapshot(store.Inner));
    }

    [Fact]
    public async Task AlertsPublishedBeforeTheirBatchsStateWriteFailedAreNotPublishedAgainByTheRetry()
    {
        var store = new GatedStore(new InMemoryStateStore()) { PassThrough = true };
        var topic = new GatedAlertTopic { PassThrough = true };
        var (handler, _) = NewOwner(store, topic);
        await ShellAndCurlOnMac1(handler);
        store.PassThrough = false;
        clock.Now = At(5.5);
        var first = await handler.HandleDeferredAsync(Records(1, Shell("mac-2", T(5.5), "s2")), CancellationToken.None);
        await store.WaitForSentAsync(1);
        Assert.Equal(3, topic.Records.Count);

        store.Fail(0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        handler.Rewound();
        store.PassThrough = true;
        await handler.HandleAsync(Records(1, Shell("mac-2", T(5.5), "s2")), CancellationToken.None);

        Assert.Equal(3, topic.Records.Count);
        Assert.Equal(3, topic.Records.Select(a => a.Id).Distinct().Count());
        Assert.Empty(store.Inner.Held[0]);
    }

    /// <summary>mac-1's shell (0 s) and curl (2 s), handled and written at 2.1 s: three sequences due at 5 s.</summary>
    private async Task ShellAndCurlOnMac1(CorrelationHandler handler)
    {
        clock.Now = At(2.1);
        await handler.HandleAsync(Records(0, Shell("mac-1", T(0), "s")), CancellationToken.None);
        await handler.HandleAsync(Records(0, Curl("mac-1", T(2), "c")), CancellationToken.None);
    }

    private static DateTimeOffset At(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds(T0 / 1_000_000) + TimeSpan.FromSeconds(seconds);

    private static long T(double seconds) => T0 + Seconds(seconds);

    /// <summary>What the store holds: each member with its fields (name and value), in order.</summary>
    private static List<string> Snapshot(InMemoryStateStore store) =>
        store.States
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => s.Key + ": " + string.Join(";", s.Value.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + Convert.ToBase64String(f.Value.Value))))
            .ToList();

    private List<string> Members(string host) => pack.Rules.Where(r => r.IsStateful).Select(r => new StateKey(r, host).Member).Order(StringComparer.Ordinal).ToList();

    private (CorrelationHandler, CorrelationEngine) NewOwner(ICorrelationStateStore store, ITopicPublisher<Alert> topic) =>
        TestHandlers.New(pack, store, topic, new RememberingMemory(), clock, metrics, "correlator/deferred-tests");

    /// <summary>
    /// An alert topic in memory whose publishes are each held until the test acknowledges or refuses them (in the order
    /// they were requested), or pass straight through while <see cref="PassThrough"/> is set.
    /// </summary>
    private sealed class GatedAlertTopic : ITopicPublisher<Alert>
    {
        private readonly AlertTopic topic = new();
        private readonly HeldCalls requests = new("publishes");

        public string Topic => topic.Topic;

        public bool PassThrough { get; set; }

        public IReadOnlyList<Alert> Records => topic.Records;

        /// <summary>Publishes requested and held.</summary>
        public int Requests => requests.Count;

        public void Acknowledge(int request) => requests.Complete(request, true);

        public void Refuse(int request) => requests.Complete(request, false);

        public Task WaitForRequestsAsync(int count) => requests.WaitForAsync(count);

        public Task<RecordPosition> PublishAsync(string key, Alert message, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The outbox publishes batches.");

        public async Task<IReadOnlyList<RecordPosition>> PublishBatchAsync(IReadOnlyList<KeyValuePair<string, Alert>> records, CancellationToken cancellationToken = default)
        {
            if (!PassThrough && !await requests.Hold())
            {
                throw new InvalidOperationException("The broker refused the alerts.");
            }

            return await topic.PublishBatchAsync(records, cancellationToken);
        }
    }

    /// <summary>
    /// The store in memory, each write held until the test completes or fails it (by the order held writes were sent),
    /// or passed straight through (not counted) while <see cref="PassThrough"/> is set.
    /// </summary>
    private sealed class GatedStore(InMemoryStateStore inner) : ICorrelationStateStore
    {
        private readonly HeldCalls writes = new("writes");

        public InMemoryStateStore Inner { get; } = inner;

        public bool PassThrough { get; set; }

        /// <summary>Writes sent to the store and held.</summary>
        public int Sent => writes.Count;

        public void Complete(int write) => writes.Complete(write, true);

        public void Fail(int write) => writes.Complete(write, false);

        public Task WaitForSentAsync(int count) => writes.WaitForAsync(count);

        public Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> keys) => Inner.ReadAsync(keys);

        public async Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
        {
            if (!PassThrough && !await writes.Hold())
            {
                throw new InvalidOperationException("The store is down.");
            }

            await Inner.WriteAsync(states, held);
        }

        public Task<IReadOnlyList<(int Partition, string Member)>> ReadHeldAsync(IReadOnlyCollection<int> partitions) => Inner.ReadHeldAsync(partitions);

        public Task WriteHandoffAsync(IReadOnlyDictionary<int, IReadOnlyList<string>> members, TimeSpan expiry) => Inner.WriteHandoffAsync(members, expiry);

        public Task<IReadOnlyList<(int Partition, string Member)>> TakeHandoffAsync(IReadOnlyCollection<int> partitions, int most) => Inner.TakeHandoffAsync(partitions, most);
    }

    /// <summary>Calls held until the test lets each through or fails it, by the order they came.</summary>
    private sealed class HeldCalls(string what)
    {
        private readonly List<TaskCompletionSource<bool>> calls = [];
        private readonly Lock sync = new();

        public int Count
        {
            get
            {
                lock (sync)
                {
                    return calls.Count;
                }
            }
        }

        /// <summary>Holds a call: true once let through, false once failed.</summary>
        public Task<bool> Hold()
        {
            var call = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (sync)
            {
                calls.Add(call);
            }

            return call.Task;
        }

        public void Complete(int call, bool through)
        {
            lock (sync)
            {
                calls[call].SetResult(through);
            }
        }

        public async Task WaitForAsync(int count)
        {
            for (var i = 0; i < 500 && Count < count; i++)
            {
                await Task.Delay(10);
            }

            Assert.True(Count >= count, $"{count} {what} expected, {Count} came");
        }
    }
}
