using Vigil.Contracts.Alerts;
using Vigil.Messaging;

namespace Vigil.Detection;

/// <summary>
/// Closes the one gap of publish-then-remember: alerts Kafka acknowledged right before a crash, whose ids
/// never reached Redis. Every commit checkpoints, per telemetry partition, the alert-topic offsets from
/// which such alerts could lie (past everything already remembered). Whoever is assigned the partition
/// next reads the alert topic from there and treats this analytic's alerts found as published, so the
/// replay that re-derives them publishes none of them twice. Used through <see cref="AlertOutbox"/> by
/// every service that publishes alerts (correlator, baseline).
/// </summary>
public sealed class PublishedAlertLog(ITopicReader<Alert> reader, TopicManifest manifest, string producer)
{
    private readonly string topic = manifest.Topic(TopicRole.Alerts).Name;
    private readonly Dictionary<int, long> cursor = [];
    private readonly HashSet<string> recovered = new(StringComparer.Ordinal);
    private bool initialized;

    public int RecoveredCount => recovered.Count;

    /// <summary>Before this process publishes anything, alerts of ours can only lie past today's end offsets.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (initialized)
        {
            return;
        }

        foreach (var (partition, end) in await reader.EndOffsetsAsync(topic, cancellationToken).ConfigureAwait(false))
        {
            cursor[partition] = Math.Max(cursor.GetValueOrDefault(partition), end);
        }

        initialized = true;
    }

    public void Published(IReadOnlyList<RecordPosition> positions)
    {
        foreach (var position in positions)
        {
            cursor[position.Partition] = Math.Max(cursor.GetValueOrDefault(position.Partition), position.Offset + 1);
        }
    }

    /// <summary>Alert-topic offsets past every alert this process has published so far.</summary>
    public IReadOnlyDictionary<int, long> Checkpoint() => new Dictionary<int, long>(cursor);

    /// <summary>Reads this analytic's alerts published from <paramref name="from"/> onwards and remembers their ids.</summary>
    public async Task RecoverAsync(IReadOnlyDictionary<int, long> from, CancellationToken cancellationToken)
    {
        if (from.Count == 0)
        {
            return;
        }

        foreach (var record in await reader.ReadToEndAsync(topic, from, cancellationToken).ConfigureAwait(false))
        {
            if (record.Value.Producer == producer)
            {
                recovered.Add(record.Value.Id);
            }
        }
    }

    public bool WasPublished(string alertId) => recovered.Contains(alertId);
}
