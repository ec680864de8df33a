using Microsoft.Extensions.Logging;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Messaging;

namespace Vigil.Correlator;

/// <summary>
/// Runs an analytic pack on consumed telemetry. Per batch: events no rule can use, and events a rule's
/// exceptions remove, are skipped without touching Redis; the states of the (rule, host) pairs the rest
/// touch are read in one pipelined round trip; matches become alerts, repeats and alerts in an alert
/// suppression window are dropped (the window's count grows), new alerts are published and
/// acknowledged; then states and alert ids are written in one more round trip. Only then does the
/// consume loop store the batch's offsets, so a crash loses nothing and a replay yields the same ids.
/// </summary>
public sealed class CorrelationHandler(
    AnalyticPack pack,
    CorrelationStore store,
    AlertFactory alerts,
    ITopicPublisher<Alert> publisher,
    PublishedAlertLog publishedAlerts,
    TimeProvider clock,
    ILogger<CorrelationHandler> logger,
    AggregationStore aggregations,
    SignalBudgetStore signalBudget) : IRecordBatchHandler<TelemetryEvent>
{
    // The consume loop and the quiet-host release both change states; one at a time.
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly MatchTriage triage = new(alerts);
    private readonly HeldHosts held = new();
    private readonly AggregationAlerts aggregationAlerts = new(new MatchTriage(alerts));
    private readonly StateLimitLog stateLimitLog = new();

    // Resolved once: a labelled child looked up per relevant event would allocate on the hot path.
    private readonly Dictionary<CompiledRule, Prometheus.Counter.Child> relevantEvents =
        pack.Rules.ToDictionary(r => r, r => CorrelatorMetrics.RelevantEvents.WithLabels(pack.Analytic, r.RuleId));

    private readonly Dictionary<CompiledRule, Prometheus.Counter.Child> exceptedEvents =
        pack.Rules.ToDictionary(r => r, r => CorrelatorMetrics.ExceptedEvents.WithLabels(pack.Analytic, r.RuleId));

    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var work = new Dictionary<StateKey, List<ConsumedRecord<TelemetryEvent>>>();
            var matches = new List<(CompiledRule Rule, SequenceMatch<TelemetryEvent> Match)>();
            var aggregationWork = new List<AggregationWork>();
            foreach (var record in batch)
            {
                foreach (var rule in pack.Rules)
                {
                    var input = rule.Admit(record.Value, out var exception);
                    if (input == RuleInput.Irrelevant)
                    {
                        continue;
                    }

                    relevantEvents[rule].Inc();
                    if (input == RuleInput.Excepted)
                    {
                        // Removed before the engine, as Elastic filters the events a rule searches: no state is touched.
                        exceptedEvents[rule].Inc();
                        logger.LogDebug("Exception '{Exception}' removes event {Event} from {Rule}", exception!.Name, record.Value.Event?.Id, rule.RuleId);
                        continue;
                    }

                    if (rule.IsAggregation)
                    {
                        aggregationWork.Add(new AggregationWork(rule, record.Value));
                        continue;
                    }

                    var host = rule.Engine.HostOf(record.Value);
                    if (rule.IsStateful)
                    {
                        var key = new StateKey(rule, host);
                        if (!work.TryGetValue(key, out var events))
                        {
                            work[key] = events = [];
                        }

                        events.Add(record);
                    }
                    else
                    {
                        // Single-event rules need no state: match without a Redis read.
                        matches.AddRange(rule.Engine.Process(rule.Engine.CreateState(host), record.Value).Matches.Select(m => (rule, m)));
                    }
                }
            }

            if (work.Count == 0 && matches.Count == 0 && aggregationWork.Count == 0)
            {
                return;
            }

            var (verdicts, aggregationWrites) = aggregationWork.Count == 0
                ? ([], new AggregationWrites())
                : await aggregations.ProcessAsync(aggregationWork, aggregationAlerts).ConfigureAwait(false);

            var states = work.Count == 0 ? [] : await store.LoadAsync(work.Keys).ConfigureAwait(false);
            var changed = new Dictionary<StateKey, HostState<TelemetryEvent>>();
            var heldChanges = new List<HeldChange>();
            var now = clock.GetUtcNow();
            foreach (var (key, records) in work)
            {
                var state = states[key];
                foreach (var record in records)
                {
                    Collect(key, state, key.Rule.Engine.Process(state, record.Value), changed, matches);
                }

                // A match awaiting a trailing missing-event window holds the host like a buffered event does.
                if (held.Update(key, records[^1].TopicPartition, state.BufferedEventCount + state.AwaitingMatchCount, now) is { } change)
                {
                    heldChanges.Add(change);
                }
            }

            await PublishAndCommitAsync(changed, matches, batch.Select(r => r.Partition).ToHashSet(), heldChanges, cancellationToken, verdicts, aggregationWrites).ConfigureAwait(false);
        }
        finally
        {
            CorrelatorMetrics.HeldHosts.WithLabels(pack.Analytic).Set(held.Count);
            gate.Release();
        }
    }

    /// <summary>
    /// Before consuming newly assigned partitions, recovers the ids of alerts a previous owner published
    /// but had not remembered yet (see <see cref="PublishedAlertLog"/>).
    /// </summary>
    public async Task OnPartitionsAssignedAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await publishedAlerts.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            if (partitions.Count > 0)
            {
                var numbers = partitions.Select(p => p.Partition).ToArray();
                var checkpoints = await store.LoadCheckpointsAsync(numbers).ConfigureAwait(false);
                var from = checkpoints.Values.SelectMany(c => c).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Min(c => c.Value));
                await publishedAlerts.RecoverAsync(from, CancellationToken.None).ConfigureAwait(false);

                // A partition's first owner checkpoints before it publishes, so even a crash before its first commit is recoverable.
                await store.SaveCheckpointsAsync(numbers.Where(n => !checkpoints.ContainsKey(n)).ToArray(), publishedAlerts.Checkpoint()).ConfigureAwait(false);

                // States a previous owner left holding events (e.g. it crashed): released once the lateness passes.
                var now = clock.GetUtcNow();
                foreach (var (partition, key) in await store.LoadHeldAsync(numbers, pack).ConfigureAwait(false))
                {
                    held.Update(key, partitions.First(p => p.Partition == partition), 1, now);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Releases the held-back events of hosts that went quiet for longer than the lateness window, so
    /// a sequence completed by a host's last events is reported without waiting for its next event.
    /// </summary>
    public async Task ReleaseQuietHostsAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ReleaseAsync(held.TakeQuiet(clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CorrelatorMetrics.HeldHosts.WithLabels(pack.Analytic).Set(held.Count);
            gate.Release();
        }
    }

    /// <summary>Before the offsets of revoked partitions are committed, their held-back events are matched and the results stored.</summary>
    public async Task OnPartitionsRevokedAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await ReleaseAsync(held.TakePartitions(partitions), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Lost partitions may already have a new owner; their states stay in Redis for it, untouched.</summary>
    public async Task OnPartitionsLostAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            held.TakePartitions(partitions);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task ReleaseAsync(List<HeldState> taken, CancellationToken cancellationToken)
    {
        if (taken.Count == 0)
        {
            return;
        }

        try
        {
            await ReleaseStatesAsync(taken, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            held.Restore(taken);
            throw;
        }
    }

    private async Task ReleaseStatesAsync(List<HeldState> taken, CancellationToken cancellationToken)
    {
        var states = await store.LoadAsync(taken.Select(t => t.Key).ToList()).ConfigureAwait(false);
        var changed = new Dictionary<StateKey, HostState<TelemetryEvent>>();
        var matches = new List<(CompiledRule Rule, SequenceMatch<TelemetryEvent> Match)>();
        // Released states hold nothing back any more.
        var heldChanges = new List<HeldChange>();
        var now = clock.GetUtcNow();
        foreach (var entry in taken)
        {
            var key = entry.Key;
            var state = states[key];
            if (state.LatestTimestamp is { } latest)
            {
                // Everything seen so far may match now: the host stayed quiet for the whole lateness window. The clock
                // minus the lateness also ends trailing missing-event windows that closed since the host's last event.
                var clockWatermark = (now - key.Rule.Engine.Options.Lateness).ToUnixTimeMilliseconds() * 1_000_000;
                Collect(key, state, key.Rule.Engine.AdvanceWatermark(state, Math.Max(latest + 1, clockWatermark)), changed, matches);
            }

            if (state.AwaitingMatchCount > 0)
            {
                // Still waiting for a missing-event window to close: keep the host held so a later scan reports it.
                held.Restore([entry with { LastEvent = now }]);
            }
            else
            {
                heldChanges.Add(new HeldChange(entry.Partition.Partition, key, false));
            }
        }

        await PublishAndCommitAsync(changed, matches, taken.Select(t => t.Partition.Partition).ToHashSet(), heldChanges, cancellationToken).ConfigureAwait(false);
    }

    private void Collect(
        StateKey key,
        HostState<TelemetryEvent> state,
        MatchResult<TelemetryEvent> result,
        Dictionary<StateKey, HostState<TelemetryEvent>> changed,
        List<(CompiledRule Rule, SequenceMatch<TelemetryEvent> Match)> matches)
    {
        if (result.StateChanged)
        {
            changed[key] = state;
        }

        if (result.LateEvents > 0)
        {
            CorrelatorMetrics.LateEvents.WithLabels(pack.Analytic, key.Rule.RuleId).Inc(result.LateEvents);
        }

        CountRejections(key, state.HostId, result.Rejections);

        matches.AddRange(result.Matches.Select(m => (key.Rule, m)));
    }

    private void CountRejections(StateKey key, string host, RejectionCounts rejections)
    {
        if (rejections.Total == 0)
        {
            return;
        }

        var rule = key.Rule.RuleId;
        CorrelatorMetrics.Rejected.WithLabels(pack.Analytic, rule, "maxspan").Inc(rejections.MaxSpan);
        CorrelatorMetrics.Rejected.WithLabels(pack.Analytic, rule, "until").Inc(rejections.Until);
        CorrelatorMetrics.Rejected.WithLabels(pack.Analytic, rule, "overwrite").Inc(rejections.Overwritten);
        CorrelatorMetrics.Rejected.WithLabels(pack.Analytic, rule, "state_limit").Inc(rejections.StateLimit);
        CorrelatorMetrics.Rejected.WithLabels(pack.Analytic, rule, "missing_event").Inc(rejections.MissingEvent);
        if (rejections.StateLimit > 0 && stateLimitLog.ShouldLog(rule, host, clock.GetUtcNow()))
        {
            logger.LogWarning(
                "Rule {Rule} on host {Host} hit its state limit: evicted {Evicted} pending partial sequence(s), oldest first (logged once per host per {Window})",
                rule, host, rejections.StateLimit, StateLimitLog.Window);
        }
    }

    private async Task PublishAndCommitAsync(
        Dictionary<StateKey, HostState<TelemetryEvent>> changed,
        List<(CompiledRule Rule, SequenceMatch<TelemetryEvent> Match)> matches,
        IReadOnlyCollection<int> partitions,
        IReadOnlyCollection<HeldChange> heldChanges,
        CancellationToken cancellationToken,
        List<(CompiledRule Rule, PendingAlert Verdict)>? aggregationVerdicts = null,
        AggregationWrites? aggregationWrites = null)
    {
        var candidates = new List<PendingAlert>();
        var verdicts = matches.Select(m => (m.Rule, Verdict: triage.Judge(m.Rule, m.Match), m.Match.HostId))
            .Concat((aggregationVerdicts ?? []).Select(v => (v.Rule, v.Verdict, HostId: v.Verdict.Alert.Host.Id ?? string.Empty)));
        foreach (var (rule, verdict, _) in verdicts)
        {
            CorrelatorMetrics.Matches.WithLabels(pack.Analytic, rule.RuleId).Inc();
            candidates.Add(verdict);
        }

        var fresh = candidates;
        var suppressed = new List<PendingAlert>();
        if (candidates.Count > 0)
        {
            var repeats = await store.FindRepeatsAsync(candidates).ConfigureAwait(false);
            fresh = [];
            var openedInBatch = new HashSet<(string, string)>();
            foreach (var candidate in candidates)
            {
                var why = repeats.GetValueOrDefault(candidate.Alert.Id) ?? (publishedAlerts.WasPublished(candidate.Alert.Id) ? "duplicate" : null);
                if (why is null && candidate.SuppressionScope is { } scope && !openedInBatch.Add(scope))
                {
                    why = "suppressed";
                }

                if (why is null)
                {
                    fresh.Add(candidate);
                    continue;
                }

                CorrelatorMetrics.AlertsDropped.WithLabels(pack.Analytic, candidate.Rule.RuleId, why).Inc();
                if (why == "suppressed")
                {
                    suppressed.Add(candidate);
                }
            }

            fresh = await signalBudget.TakeAsync(fresh).ConfigureAwait(false);

            // Published before the state moves on: a crash here replays the events and re-derives the same alert ids.
            publishedAlerts.Published(
                await publisher.PublishBatchAsync(fresh.Select(a => KeyValuePair.Create(a.Alert.Host.Id, a.Alert)).ToList(), cancellationToken).ConfigureAwait(false));
            foreach (var alert in fresh)
            {
                CorrelatorMetrics.AlertsPublished.WithLabels(pack.Analytic, alert.Rule.RuleId).Inc();
                logger.LogInformation("Alert {AlertId} {Rule} on host {Host}: {Reason}", alert.Alert.Id, alert.Rule.RuleId, alert.Alert.Host.Id, alert.Alert.Reason);
            }
        }

        await store.CommitAsync(changed, fresh, suppressed, partitions, publishedAlerts.Checkpoint(), heldChanges).ConfigureAwait(false);
        if (aggregationWrites is not null)
        {
            await aggregations.CommitAsync(aggregationWrites).ConfigureAwait(false);
        }
    }
}
