using Vigil.Contracts.Alerts;
using Vigil.Messaging;

namespace Vigil.Detection;

/// <summary>
/// The one publish-once path for alerts: repeat check, publish, remember. A service asks its own store which
/// candidates repeat (ids it remembered, suppression windows), and the outbox adds the ids a crashed previous
/// owner published but never remembered (recovered by <see cref="PublishedAlertLog"/> when partitions are
/// assigned), publishes the rest, and advances the log's cursor. The caller then remembers the published ids
/// and saves <see cref="Checkpoint"/> with its state: a crash anywhere between publish and that commit replays
/// the batch, re-derives the same ids, and the recovery makes the outbox drop them, so no id is published twice.
/// </summary>
public sealed class AlertOutbox(ITopicPublisher<Alert> publisher, PublishedAlertLog log)
{
    /// <summary>Must run before partitions are consumed: alerts of ours can only lie past today's end offsets.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => log.InitializeAsync(cancellationToken);

    /// <summary>Recovers the ids of alerts published from the checkpointed alert-topic offsets onwards.</summary>
    public Task RecoverAsync(IReadOnlyDictionary<int, long> from, CancellationToken cancellationToken) => log.RecoverAsync(from, cancellationToken);

    /// <summary>True when <paramref name="alertId"/> was found published by a previous owner.</summary>
    public bool WasPublished(string alertId) => log.WasPublished(alertId);

    /// <summary>Alert-topic offsets past every alert published so far: saved with the state at each commit.</summary>
    public IReadOnlyDictionary<int, long> Checkpoint() => log.Checkpoint();

    /// <summary>
    /// Publishes those of <paramref name="candidates"/> that are neither repeats by <paramref name="repeat"/> (the
    /// caller's store) nor recovered as published, at most once per id, and returns what was published.
    /// </summary>
    public async Task<IReadOnlyList<Alert>> PublishOnceAsync(IReadOnlyList<Alert> candidates, Func<Alert, bool>? repeat, CancellationToken cancellationToken)
    {
        var fresh = candidates
            .Where(a => !log.WasPublished(a.Id) && repeat?.Invoke(a) != true)
            .DistinctBy(a => a.Id, StringComparer.Ordinal)
            .ToList();
        if (fresh.Count == 0)
        {
            return fresh;
        }

        log.Published(await publisher.PublishBatchAsync(fresh.Select(a => KeyValuePair.Create(a.Host.Id, a)).ToList(), cancellationToken).ConfigureAwait(false));
        return fresh;
    }
}
