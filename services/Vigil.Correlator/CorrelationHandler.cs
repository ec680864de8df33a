using Microsoft.Extensions.Logging;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>
/// Runs an analytic pack on consumed telemetry, one batch at a time down one route:
/// <see cref="EventRouter"/> (records → state keys and stateless matches) → <see cref="OwnedStates"/> (the states,
/// from memory or one store read) → <see cref="CorrelationEngine"/> (matches and changed states) →
/// <see cref="AlertOutbox"/> (repeat check, in-batch suppression, publish, remember) → <see cref="OwnedStates"/>
/// write-through (one write round trip, with the aggregation state). A batch's alerts go through the outbox once the
/// previous batch's have, and its write is sent once its alerts are published and the previous batch's write completed;
/// the handler takes the next batch meanwhile (<see cref="IDeferredDurabilityHandler{T}"/>). The consume loop stores a
/// batch's offsets only once its write completed, so a crash loses nothing and a replay yields the same alert ids, which
/// the outbox refuses to publish twice. A failed publish or write undoes its batch and every later one in memory and the
/// loop rewinds to it.
/// Held states that fall due while batches arrive are released with the next batch (same publish, same commit);
/// <see cref="QuietHostRelease"/> releases them when no batch comes.
/// </summary>
public sealed class CorrelationHandler(
    AnalyticPack pack,
    EventRouter router,
    CorrelationEngine engine,
    OwnedStates states,
    AlertOutbox outbox,
    IAlertCheckpoints alertCheckpoints,
    AggregationStore aggregations,
    AlertFactory alerts,
    TimeProvider clock,
    CorrelatorMetrics metrics,
    ILogger<CorrelationHandler> logger) : IDeferredDurabilityHandler<TelemetryEvent>, IRecordPreparer<TelemetryEvent>
{
    // The consume loop and the quiet-host release both change states; one at a time.
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly MatchTriage triage = new(alerts);
    private readonly AggregationAlerts aggregationAlerts = new(new MatchTriage(alerts));
    private readonly Dictionary<string, CompiledRule> rulesByTag = pack.Rules.ToDictionary(StateKey.RuleTag, StringComparer.Ordinal);
    private DateTimeOffset lastSweep = DateTimeOffset.MinValue;

    // When a batch last took the held states due (ReleaseDueWithAsync), whether or not any was. While batches keep
    // coming, each takes what fell due, in its own publish and write; a release pass of its own would cost one more round
    // trip and hold the gate, and the next batch, while it waits for it (see ReleaseQuietHostsAsync).
    private DateTimeOffset lastBatchRelease = DateTimeOffset.MinValue;

    // When the batch being handled took the due states: becomes lastBatchRelease once the batch is queued (one that fails
    // before puts them back), and a failed write, which puts back what its batches took, clears lastBatchRelease: a pass
    // must not stand aside for batches that did not release them.
    private DateTimeOffset batchRelease = DateTimeOffset.MinValue;

    /// <summary>
    /// How recently a batch must have taken the due states for a release pass to leave them to the next batch: about two
    /// of the consume loop's batch waits (50 ms), so a busy consumer's next batch comes well within it, and states of a
    /// consumer whose batches stop wait for the pass at most this long after they fell due.
    /// </summary>
    internal static readonly TimeSpan BatchReleaseGrace = TimeSpan.FromMilliseconds(100);

    // Batches handled whose state writes may still be in flight, oldest first, each with what to put back if its write
    // fails (see SettleWrites). Each keeps its CorrelationBatch (the writes read its lists when sent) until it settles;
    // settled ones go back to the spares, so a batch's lists, dictionaries and work lists are allocated once, not per
    // batch of records. Only touched under the gate.
    private readonly Queue<Unsettled> unsettled = new();
    private readonly Stack<CorrelationBatch> spareBatches = new();

    // A state write failed: memory was put back to what the store holds, and batches are refused until the consume loop
    // rewound to the first one not written (Rewound).
    private bool refusing;

    // The last pass through the outbox started: the next one runs after it (see PublishBehind). The outbox takes one
    // batch of candidates at a time, and a batch's repeat check must see what the batch before it remembered.
    private Task publishing = Task.CompletedTask;

    // The release pass's batch, cleared and refilled each time (under the gate); its write is awaited within the pass.
    private readonly CorrelationBatch released = new();

    // Resolved once: a labelled child looked up per batch would allocate its label array.
    private readonly Prometheus.Gauge.Child heldHosts = metrics.HeldHosts.WithLabels(pack.Analytic);
    private readonly Prometheus.Gauge.Child liveStates = metrics.LiveStates.WithLabels(pack.Analytic);
    private readonly Prometheus.Counter.Child redisReads = metrics.StateReads.WithLabels(pack.Analytic, "redis");
    private readonly Prometheus.Counter.Child knownEmptyReads = metrics.StateReads.WithLabels(pack.Analytic, "known_empty");

    // What the state-read counters last reported of OwnedStates' own counts.
    private long reportedRedisReads;
    private long reportedKnownEmpty;

    /// <summary>The router's first look at each record, on the consume thread right after decoding (<see cref="EventRouter.Prepare"/>).</summary>
    public ulong Prepare(TelemetryEvent value) => router.Prepare(value);

    /// <summary>Handles a batch and returns once its state changes are in the store (the serial form).</summary>
    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> records, CancellationToken cancellationToken)
    {
        try
        {
            var written = await HandleDeferredAsync(records, cancellationToken).ConfigureAwait(false);
            await written.ConfigureAwait(false);
        }
        catch
        {
            // The caller retries this batch: memory goes back to what the store holds, and batches are taken again.
            await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                SettleWrites();
                refusing = false;
            }
            finally
            {
                gate.Release();
            }

            throw;
        }
    }

    /// <summary>
    /// Handles a batch and returns once done with its records, with its state write: sent once the batch's alerts are
    /// published (acknowledged by the broker and remembered) and the write before it has completed, so the next batch is
    /// routed and matched while the broker and the store take this one. The state moves on in the store only after its
    /// alerts are out (a crash in between replays the batch, which re-derives the same ids, and the outbox refuses to
    /// publish them twice). A batch with threshold or new_terms work waits for the write before it, for its alerts and
    /// for its own writes.
    /// </summary>
    public async Task<Task> HandleDeferredAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> records, CancellationToken cancellationToken)
    {
        Task? waitFor = null;
        Task written;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var batch = spareBatches.TryPop(out var spare) ? spare : new CorrelationBatch();
        var queued = false;
        try
        {
            RefuseAfterFailedWrite();
            router.Route(records, batch);
            if (batch.IsEmpty)
            {
                return Task.CompletedTask;
            }

            IReadOnlyList<(CompiledRule Rule, PendingAlert Verdict)> verdicts = [];
            AggregationWrites? aggregationWrites = null;
            if (batch.Aggregations.Count > 0)
            {
                // Threshold and new_terms counts are read and written apart from the states: the batch before must be in
                // the store first (a failed one is retried with this one), so this batch's counts never land without it.
                if (states.Writing)
                {
                    await states.WaitForWritesAsync().ConfigureAwait(false);
                    RefuseAfterFailedWrite();
                }

                (verdicts, aggregationWrites) = await aggregations.ProcessAsync(batch.Aggregations, aggregationAlerts).ConfigureAwait(false);
            }

            if (batch.Work.Count > 0)
            {
                await states.LoadAsync(batch.WantWork(), batch.Loaded).ConfigureAwait(false);
            }

            List<HeldState>? taken = null;
            try
            {
                engine.Advance(batch, batch.Loaded);
                taken = await ReleaseDueWithAsync(batch).ConfigureAwait(false);
                var published = batch.Matches.Count + verdicts.Count > 0 ? PublishBehind(batch, verdicts, cancellationToken) : null;
                if (aggregationWrites is not null && published is not null)
                {
                    // Counts move on only once the alerts they raised are out, as the states do.
                    await published.ConfigureAwait(false);
                }

                // The state and aggregation writes are issued back to back on one connection: one round trip.
                var stateWrite = states.WriteThrough(engine.Seal(batch), batch.HeldChanges, published);
                written = aggregationWrites is null ? stateWrite : Task.WhenAll(stateWrite, aggregations.CommitAsync(aggregationWrites));
            }
            catch
            {
                // The engine changed these states in memory; the retry must start from what the store holds. A publish
                // of this batch that failed is the retry's to redo, not a reason to skip the retry's.
                Undo(batch.Work.Keys, batch.HeldChanges, taken);
                publishing = publishing.Settled();
                throw;
            }

            batch.Touched.AddRange(batch.Work.Keys);
            unsettled.Enqueue(new Unsettled(batch, Copy(taken, batch), written));
            queued = true;
            lastBatchRelease = batchRelease;
            if (aggregationWrites is not null)
            {
                waitFor = written;
            }
        }
        finally
        {
            if (queued)
            {
                // Holds on to none of the batch's events (the consume loop reuses their objects), only its writes.
                batch.ReleaseRecords();
            }
            else
            {
                batch.Clear();
                spareBatches.Push(batch);
            }

            ReportStates();
            gate.Release();
        }

        if (waitFor is not null)
        {
            await waitFor.ConfigureAwait(false);
        }

        return written;
    }

    /// <inheritdoc />
    public void Rewound()
    {
        gate.Wait();
        try
        {
            SettleWrites();
            refusing = false;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Before consuming newly assigned partitions: forgets any memory of them from an earlier ownership (someone else
    /// may have moved their states on since), recovers the ids of alerts a previous owner published but had not
    /// remembered (see <see cref="PublishedAlertLog"/>), takes over the states it left holding events, and loads those
    /// and the states it handed over when it gave the partitions up.
    /// </summary>
    public async Task OnPartitionsAssignedAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            SettleWrites();
            var numbers = partitions.Select(p => p.Partition).ToArray();
            states.Drop(numbers);

            // The outbox takes one pass at a time: a publish still in flight finishes first (its outcome is its batch's).
            await publishing.Settled().ConfigureAwait(false);
            await outbox.TakeOverAsync(numbers, alertCheckpoints, CancellationToken.None).ConfigureAwait(false);
            if (numbers.Length == 0)
            {
                return;
            }

            // States a previous owner left holding events (e.g. it crashed): released once the lateness passes. And the
            // states it had in memory when it gave the partitions up (a rebalance): read in the same round trip.
            var heldRead = states.HeldByPreviousOwnerAsync(numbers, rulesByTag);
            var handedRead = states.HandedOverAsync(numbers, rulesByTag);
            IReadOnlyList<(int Partition, StateKey Key)> held;
            try
            {
                held = await heldRead.ConfigureAwait(false);
            }
            catch
            {
                // The handoff read is only a hint, but it is in flight: observed, so its failure is not left unobserved.
                await handedRead.Settled().ConfigureAwait(false);
                throw;
            }

            var now = clock.GetUtcNow();
            foreach (var (partition, key) in held)
            {
                engine.Held.Update(key, partitions.First(p => p.Partition == partition), holds: true, newestBuffered: null, now);
            }

            // Loaded now, before the partitions' first batch, so that batch and the releases find them in memory; the
            // lazy read per batch stays for every state not named here (or beyond the memory limit).
            try
            {
                var handed = await handedRead.ConfigureAwait(false);
                var loaded = await states.PreloadAsync(handed.Concat(held).Select(h => (h.Key, h.Partition))).ConfigureAwait(false);
                if (loaded > 0)
                {
                    logger.LogInformation("Loaded {Count} states of assigned partitions {Partitions} before their first batch", loaded, string.Join(",", numbers));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Only a head start: what did not load is read with the batch that first needs it.
                logger.LogWarning(e, "Loading the states of assigned partitions {Partitions} failed; they are read as batches need them", string.Join(",", numbers));
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Releases the held-back events that have waited the lateness since they arrived (nothing earlier can still arrive
    /// for them), whole states for hosts that went quiet, so a sequence is reported the lateness after its last event
    /// arrived whether or not its host keeps sending; forgets expired states at most once per
    /// <paramref name="sweepInterval"/>. While batches keep taking the due states (the last within
    /// <see cref="BatchReleaseGrace"/>), it leaves them to the next batch. Returns when to look again: when the next held
    /// state is due, or once the next batch should have come (null: none is held).
    /// </summary>
    public async Task<DateTimeOffset?> ReleaseQuietHostsAsync(TimeSpan sweepInterval, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SettleWrites();
            var now = clock.GetUtcNow();
            if (now - lastSweep >= sweepInterval)
            {
                // A scan of every state in memory: not at the pace of release deadlines.
                states.Sweep();
                lastSweep = now;
            }

            if (now - lastBatchRelease < BatchReleaseGrace)
            {
                // Batches are coming: the next one takes what is due. Look again once it should have.
                return engine.Held.NextDue is { } due ? Later(due, lastBatchRelease + BatchReleaseGrace) : null;
            }

            await ReleaseAsync(engine.Held.TakeDue(now), cancellationToken).ConfigureAwait(false);
            return engine.Held.NextDue;
        }
        finally
        {
            ReportStates();
            gate.Release();
        }
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>
    /// Before the offsets of revoked partitions are committed, their held-back events are matched and the results
    /// stored, and the states in memory are named for the next owner (who loads them as it is assigned); then they
    /// leave memory.
    /// </summary>
    public async Task OnPartitionsRevokedAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            SettleWrites();
            await ReleaseAsync(engine.Held.TakePartitions(partitions), CancellationToken.None).ConfigureAwait(false);
            try
            {
                await states.HandOverAsync(partitions.Select(p => p.Partition).ToHashSet()).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Only a hint: without it the next owner reads each state with its first batch.
                logger.LogWarning(e, "Recording the states of revoked partitions for their next owner failed");
            }
        }
        finally
        {
            // Even when the release failed: the held set in the store names these states for the next owner.
            engine.Held.TakePartitions(partitions);
            states.Drop(partitions.Select(p => p.Partition).ToHashSet());
            gate.Release();
        }
    }

    /// <summary>Lost partitions may already have a new owner; their states stay in the store for it, untouched.</summary>
    public async Task OnPartitionsLostAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            SettleWrites();
            engine.Held.TakePartitions(partitions);
            states.Drop(partitions.Select(p => p.Partition).ToHashSet());
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Releases the held states already due along with <paramref name="batch"/> (as <see cref="ReleaseQuietHostsAsync"/>
    /// would right after it): their matches are published and their changes committed with the batch's, in one round
    /// trip, instead of by a release pass of their own that takes the gate and the store once more. Returns what it took
    /// (to put back if the batch fails), or null.
    /// </summary>
    private async Task<List<HeldState>?> ReleaseDueWithAsync(CorrelationBatch batch)
    {
        var now = clock.GetUtcNow();
        batchRelease = now;
        if (engine.Held.NextDue is not { } due || due > now)
        {
            return null;
        }

        var taken = engine.Held.TakeDue(now);
        batch.Wanted.Clear();
        foreach (var state in taken)
        {
            // A state that took events in this batch is loaded already (and changed: never read it again).
            if (!batch.Loaded.ContainsKey(state.Key))
            {
                batch.Wanted.Add((state.Key, state.Partition.Partition));
            }
        }

        try
        {
            if (batch.Wanted.Count > 0)
            {
                await states.LoadAsync(batch.Wanted, batch.Loaded).ConfigureAwait(false);
            }

            engine.Release(batch, taken, batch.Loaded);
        }
        catch
        {
            // Not yet handed back to the caller: put back here, as a failed release pass would.
            PutBack(taken);
            throw;
        }

        return taken;
    }

    private async Task ReleaseAsync(List<HeldState> taken, CancellationToken cancellationToken)
    {
        if (taken.Count == 0)
        {
            return;
        }

        var batch = released;
        batch.Clear();
        try
        {
            foreach (var state in taken)
            {
                batch.Wanted.Add((state.Key, state.Partition.Partition));
            }

            await states.LoadAsync(batch.Wanted, batch.Loaded).ConfigureAwait(false);
            engine.Release(batch, taken, batch.Loaded);
            var published = batch.Matches.Count > 0 ? PublishBehind(batch, [], cancellationToken) : null;
            await states.WriteThrough(engine.Seal(batch), batch.HeldChanges, published).ConfigureAwait(false);
        }
        catch
        {
            PutBack(taken);

            // The write may have failed because a batch's before it did: those are put back too (latest first). Every
            // batch in flight settles first (a failed state write's batch stays unsettled while its aggregation commit
            // runs): a new chain of writes started before its batch is undone would let later batches build on its
            // unstored changes, and give back arrays the store client may still send for it.
            foreach (var pending in unsettled)
            {
                await pending.Written.Settled().ConfigureAwait(false);
            }

            SettleWrites();
            states.RestartWrites();
            publishing = publishing.Settled();
            throw;
        }
        finally
        {
            batch.Clear();
        }
    }

    /// <summary>
    /// Forgets what a batch that will not reach the store changed in memory: its states (the retry reads them from the
    /// store), the states it started holding (never recorded in the store's held set: unknown again, so the retry records
    /// them; else a next owner would never learn they hold events), and puts back the held states it took.
    /// </summary>
    private void Undo(IEnumerable<StateKey> touched, List<HeldChange> heldChanges, List<HeldState>? taken)
    {
        states.Forget(touched);
        foreach (var change in heldChanges)
        {
            if (change.Held)
            {
                engine.Held.Forget(change.Key);
            }
        }

        if (taken is not null)
        {
            PutBack(taken);
        }
    }

    /// <summary>Puts back held states taken for a release that will not reach the store; their states are read again.</summary>
    private void PutBack(List<HeldState> taken)
    {
        engine.Held.Restore(taken);
        states.Forget(taken.Select(t => t.Key));
    }

    /// <summary>The held and live state gauges, and the state reads since the last report (under the gate).</summary>
    private void ReportStates()
    {
        heldHosts.Set(engine.Held.Count);
        liveStates.Set(states.Count);
        redisReads.Inc(states.StoreReads - reportedRedisReads);
        reportedRedisReads = states.StoreReads;
        knownEmptyReads.Inc(states.KnownEmptyRenewals - reportedKnownEmpty);
        reportedKnownEmpty = states.KnownEmptyRenewals;
    }

    /// <summary>
    /// Takes stock of the batches whose writes were in flight: those written go back to the spares; once one failed, it
    /// and every batch after it (their writes fail unsent) are undone, latest first, so memory again holds what the store
    /// holds, and batches are refused until the consume loop has rewound to the first of them (<see cref="Rewound"/>).
    /// Under the gate, before anything reads memory.
    /// </summary>
    private void SettleWrites()
    {
        while (unsettled.TryPeek(out var head) && head.Written.IsCompleted)
        {
            if (head.Written.IsCompletedSuccessfully)
            {
                unsettled.Dequeue();
                Recycle(head.Batch);
                continue;
            }

            var failed = unsettled.ToArray();
            unsettled.Clear();
            for (var i = failed.Length - 1; i >= 0; i--)
            {
                Undo(failed[i].Batch.Touched, failed[i].Batch.HeldChanges, failed[i].Taken);
                Recycle(failed[i].Batch);
            }

            states.AbandonWrites();

            // The due states those batches took are back: the next release pass takes them, not standing aside for batches.
            lastBatchRelease = DateTimeOffset.MinValue;

            // Publishes still in flight are of the batches just undone: the retried ones wait for them, not on their outcome.
            publishing = publishing.Settled();
            refusing = true;
            logger.LogWarning(
                head.Written.Exception?.GetBaseException(),
                "A state write of {Analytic} failed; {Count} batch(es) not written are undone in memory and will be handled again",
                pack.Analytic,
                failed.Length);
            return;
        }

        if (unsettled.Count == 0)
        {
            // No batch is left whose write may have failed (a failed release pass forgot its own states): arrays of
            // states leaving memory may go back to their pool again.
            states.WritesSettled();
        }
    }

    private void RefuseAfterFailedWrite()
    {
        SettleWrites();
        if (refusing)
        {
            throw new InvalidOperationException("A state write failed: batches are refused until the consume loop has rewound to the first batch not written.");
        }
    }

    private void Recycle(CorrelationBatch batch)
    {
        batch.Clear();
        spareBatches.Push(batch);
    }

    /// <summary>
    /// A copy of what a batch took to release (the take's lists are reused by the next take), to put back if its write
    /// fails: into the batch's own lists, which it keeps until its write settled and reuses after.
    /// </summary>
    private static List<HeldState>? Copy(List<HeldState>? taken, CorrelationBatch batch)
    {
        if (taken is null || taken.Count == 0)
        {
            return null;
        }

        var arrivals = batch.TakenArrivals;
        var copy = batch.Taken;
        foreach (var state in taken)
        {
            var start = arrivals.Count;
            for (var i = 0; i < state.Arrivals.Count; i++)
            {
                arrivals.Add(state.Arrivals[i]);
            }

            copy.Add(state with { Arrivals = new HeldArrivals(arrivals, start, state.Arrivals.Count) });
        }

        return copy;
    }

    /// <summary>
    /// Starts the batch's pass through the outbox (repeat check, suppression, publish, remember) once the pass before it
    /// has completed, and returns it. The candidates are made now, while the batch's matches and events are at hand
    /// (alerts copy their evidence). A pass whose predecessor failed fails unsent: its batch is undone with that one's.
    /// </summary>
    private Task PublishBehind(CorrelationBatch batch, IReadOnlyList<(CompiledRule Rule, PendingAlert Verdict)> aggregationVerdicts, CancellationToken cancellationToken)
    {
        var candidates = new List<PendingAlert>(batch.Matches.Count + aggregationVerdicts.Count);
        candidates.AddRange(batch.Matches.Select(m => triage.Judge(m.Rule, m.Match)));
        candidates.AddRange(aggregationVerdicts.Select(v => v.Verdict));
        foreach (var candidate in candidates)
        {
            metrics.Matches.WithLabels(pack.Analytic, candidate.Rule.RuleId).Inc();
        }

        // A copy: the batch's partitions are cleared as soon as the handler lets go of its records.
        var pass = PublishAfterAsync(publishing, candidates, batch.Partitions.ToArray(), cancellationToken);
        publishing = pass;
        return pass;
    }

    private async Task PublishAfterAsync(Task previous, List<PendingAlert> candidates, int[] partitions, CancellationToken cancellationToken)
    {
        if (!previous.IsCompletedSuccessfully)
        {
            try
            {
                await previous.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new AlertPublishSkippedException(e);
            }
        }

        // Published (and remembered) before the state moves on: a crash here replays the events and re-derives the same alert ids.
        var result = await outbox.PublishOnceAsync(candidates, partitions, cancellationToken).ConfigureAwait(false);
        foreach (var (alert, why) in result.Dropped)
        {
            metrics.AlertsDropped.WithLabels(pack.Analytic, alert.Rule.Id, why.Label()).Inc();
        }

        foreach (var alert in result.Published)
        {
            metrics.AlertsPublished.WithLabels(pack.Analytic, alert.Rule.Id).Inc();
            logger.LogInformation("Alert {AlertId} {Rule} on host {Host}: {Reason}", alert.Id, alert.Rule.Id, alert.Host.Id, alert.Reason);
        }
    }

    /// <summary>A handled batch whose write may be in flight, with the held states it took (to put back if the write fails).</summary>
    private sealed record Unsettled(CorrelationBatch Batch, List<HeldState>? Taken, Task Written);
}

/// <summary>An alert publish not attempted because the one before it failed: its batch is undone and handled again.</summary>
public sealed class AlertPublishSkippedException(Exception earlier)
    : Exception("Not published: an earlier alert publish of this correlator failed, and this batch is handled again after it.", earlier);
