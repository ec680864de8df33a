using Vigil.Contracts.Alerts;
using Vigil.Messaging;

namespace Vigil.Detection;

/// <summary>
/// The one publish-once path for alerts, shared by the correlator, the baseline and backtests. Per batch of candidates:
/// <list type="number">
/// <item>repeat check: ids the caller's <see cref="IAlertMemory"/> remembers, and windows it holds open, drop;</item>
/// <item>in-batch suppression: a repeated id, or a candidate inside a window an earlier candidate of the batch opens, drops;</item>
/// <item>max_signals budgets (the memory's) drop what they do not allow;</item>
/// <item>publish what is left and wait for the acknowledgement;</item>
/// <item>remember: the memory stores the published ids, opens their windows, counts what they suppressed and saves
/// <see cref="Checkpoint"/> for the batch's partitions.</item>
/// </list>
/// A crash between publish and remember replays the batch and re-derives the same ids. In a new process,
/// <see cref="PublishedAlertLog"/> recovers them at assignment from the checkpointed alert-topic offsets; in the same
/// process (a batch retried after a failed commit) the outbox knows them itself. Either way they are remembered then,
/// not published again, so no id is published twice.
/// </summary>
public sealed class AlertOutbox
{
    /// <summary>Ids published by this process that it keeps in mind (oldest forgotten first) to refuse republishing them.</summary>
    public const int RecentCapacity = 65_536;

    private readonly ITopicPublisher<Alert> publisher;
    private readonly PublishedAlertLog? log;
    private readonly IAlertMemory? memory;
    private readonly HashSet<string> recent = new(StringComparer.Ordinal);
    private readonly Queue<string> recentOrder = new();

    /// <summary>
    /// An outbox whose caller remembers alerts in <paramref name="memory"/> (null: nothing beyond the log and this
    /// process, as for the baseline, which derives each alert once from its watermarked host views).
    /// </summary>
    public AlertOutbox(ITopicPublisher<Alert> publisher, PublishedAlertLog? log, IAlertMemory? memory = null)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        this.publisher = publisher;
        this.log = log;
        this.memory = memory;
    }

    /// <summary>Must run before partitions are consumed: alerts of ours can only lie past today's end offsets.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => log?.InitializeAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Recovers the ids of alerts published from the checkpointed alert-topic offsets onwards.</summary>
    public Task RecoverAsync(IReadOnlyDictionary<int, long> from, CancellationToken cancellationToken) =>
        log?.RecoverAsync(from, cancellationToken) ?? Task.CompletedTask;

    /// <summary>
    /// On assignment, before consuming <paramref name="partitions"/>: recovers the ids a previous owner published from
    /// their checkpoints on, and checkpoints the partitions that have none yet, before anything is published for them,
    /// so even a crash before their first commit is recoverable.
    /// </summary>
    public async Task TakeOverAsync(IReadOnlyCollection<int> partitions, IAlertCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(checkpoints);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (partitions.Count == 0)
        {
            return;
        }

        var saved = await checkpoints.LoadCheckpointsAsync(partitions).ConfigureAwait(false);
        var from = saved.Values.SelectMany(c => c).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Min(c => c.Value));
        await RecoverAsync(from, cancellationToken).ConfigureAwait(false);
        await checkpoints.SaveCheckpointsAsync(partitions.Where(p => !saved.ContainsKey(p)).ToArray(), Checkpoint()).ConfigureAwait(false);
    }

    /// <summary>Alert-topic offsets past every alert published so far: saved with the state at each commit.</summary>
    public IReadOnlyDictionary<int, long> Checkpoint() => log?.Checkpoint() ?? new Dictionary<int, long>();

    /// <summary>Publishes those of <paramref name="candidates"/> never published before, at most once per id (alerts outside any rule's suppression).</summary>
    public async Task<IReadOnlyList<Alert>> PublishOnceAsync(IReadOnlyList<Alert> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var result = await PassAsync(candidates.Select(a => new Candidate(a, null)).ToList(), [], cancellationToken).ConfigureAwait(false);
        return result.Published;
    }

    /// <summary>Runs the candidates of one batch (matches of rules) through every step; see the type's summary.</summary>
    public ValueTask<OutboxResult> PublishOnceAsync(IReadOnlyList<PendingAlert> candidates, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return candidates.Count == 0
            ? ValueTask.FromResult(new OutboxResult())
            : PassAsync(candidates.Select(c => new Candidate(c.Alert, c)).ToList(), partitions, cancellationToken);
    }

    private async ValueTask<OutboxResult> PassAsync(List<Candidate> candidates, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken)
    {
        var result = new OutboxResult();
        var pending = candidates.Where(c => c.Pending is not null).Select(c => c.Pending!).ToList();
        var repeats = memory is null || pending.Count == 0
            ? new Dictionary<string, AlertDrop>()
            : await memory.FindRepeatsAsync(pending).ConfigureAwait(false);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var openers = new Dictionary<(string, string), PendingAlert>();
        var fresh = new List<Candidate>();
        var remember = new List<PendingAlert>();
        var suppressed = new List<PendingAlert>();
        foreach (var candidate in candidates)
        {
            var id = candidate.Alert.Id;
            AlertDrop? why = !seen.Add(id) ? AlertDrop.Duplicate : repeats.TryGetValue(id, out var repeat) ? repeat : null;
            if (why is null && (recent.Contains(id) || log?.WasPublished(id) == true))
            {
                // Published by this process or a crashed owner but never remembered: remember it now, do not publish it.
                why = AlertDrop.Duplicate;
                if (candidate.Pending is { } published)
                {
                    remember.Add(published);
                    OpenWindow(openers, published);
                }
            }

            if (why is null && candidate.Pending is { SuppressionScope: { } scope } scoped
                && openers.TryGetValue(scope, out var opener) && memory?.Covers(opener, scoped) != false)
            {
                why = AlertDrop.Suppressed;
            }

            if (why is { } drop)
            {
                result.Dropped.Add((candidate.Alert, drop));
                if (drop == AlertDrop.Suppressed && candidate.Pending is { } counted)
                {
                    suppressed.Add(counted);
                }

                continue;
            }

            fresh.Add(candidate);
            if (candidate.Pending is { } opening)
            {
                OpenWindow(openers, opening);
            }
        }

        if (memory is not null && fresh.Any(c => c.Pending is not null))
        {
            var allowed = (await memory.TakeBudgetAsync(fresh.Where(c => c.Pending is not null).Select(c => c.Pending!).ToList()).ConfigureAwait(false))
                .ToHashSet(ReferenceEqualityComparer.Instance);
            foreach (var refused in fresh.Where(c => c.Pending is not null && !allowed.Contains(c.Pending)))
            {
                result.Dropped.Add((refused.Alert, AlertDrop.MaxSignals));
            }

            fresh.RemoveAll(c => c.Pending is not null && !allowed.Contains(c.Pending));
        }

        if (fresh.Count > 0)
        {
            var positions = await publisher.PublishBatchAsync(fresh.Select(c => KeyValuePair.Create(c.Alert.Host.Id, c.Alert)).ToList(), cancellationToken).ConfigureAwait(false);
            log?.Published(positions);
            foreach (var candidate in fresh)
            {
                Recall(candidate.Alert.Id);
                result.Published.Add(candidate.Alert);
                if (candidate.Pending is { } published)
                {
                    remember.Add(published);
                }
            }
        }

        if (memory is not null && (remember.Count > 0 || suppressed.Count > 0))
        {
            await memory.RememberAsync(remember, suppressed, partitions, Checkpoint()).ConfigureAwait(false);
        }

        return result;
    }

    private static void OpenWindow(Dictionary<(string, string), PendingAlert> openers, PendingAlert alert)
    {
        if (alert.SuppressionScope is { } scope)
        {
            openers[scope] = alert;
        }
    }

    private void Recall(string id)
    {
        if (!recent.Add(id))
        {
            return;
        }

        recentOrder.Enqueue(id);
        if (recentOrder.Count > RecentCapacity)
        {
            recent.Remove(recentOrder.Dequeue());
        }
    }

    private readonly record struct Candidate(Alert Alert, PendingAlert? Pending);
}
