using StackExchange.Redis;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>
/// The correlator's <see cref="IAlertMemory"/> on Redis, shared by every instance of its analytic: published alert ids
/// (kept <see cref="CorrelatorOptions.AlertIdRetention"/>), suppression windows (a hash: the alert that opened it and
/// how many it suppressed since, Elastic's kibana.alert.suppression.docs_count, living for the rule's window from
/// publication), max_signals budgets (<see cref="SignalBudgetStore"/>); with them, in the same round trip, the
/// alert-topic checkpoints per telemetry partition (<see cref="RedisAlertCheckpoints"/>) that
/// <see cref="PublishedAlertLog"/> recovers from.
/// </summary>
public sealed class RedisAlertMemory(
    IConnectionMultiplexer redis,
    CorrelatorKeys keys,
    SignalBudgetStore budget,
    RedisAlertCheckpoints checkpoints,
    CorrelatorOptions options,
    CorrelatorMetrics metrics) : IAlertMemory
{
    private const string SuppressionAlertField = "alert";

    private const string SuppressionCountField = "docs_count";

    private const string CountSuppressedScript = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HINCRBY', KEYS[1], ARGV[1], 1) end return 0";

    public async ValueTask<IReadOnlyDictionary<string, AlertDrop>> FindRepeatsAsync(IReadOnlyList<PendingAlert> candidates)
    {
        var db = redis.GetDatabase();
        var checks = candidates.Select(c => (
            c.Alert.Id,
            Published: db.KeyExistsAsync(keys.Alert(c)),
            Suppressed: c.SuppressionGroup is null ? Task.FromResult(false) : db.KeyExistsAsync(keys.Suppression(c)))).ToArray();
        await Task.WhenAll(checks.SelectMany(c => new[] { c.Published, c.Suppressed })).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        var repeats = new Dictionary<string, AlertDrop>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            if (check.Published.Result)
            {
                repeats[check.Id] = AlertDrop.Duplicate;
            }
            else if (check.Suppressed.Result)
            {
                repeats[check.Id] = AlertDrop.Suppressed;
            }
        }

        return repeats;
    }

    /// <summary>Windows run on the wall clock from publication: whatever a batch publishes opens a window covering the rest of it.</summary>
    public bool Covers(PendingAlert opener, PendingAlert later) => true;

    public async ValueTask<IReadOnlyList<PendingAlert>> TakeBudgetAsync(IReadOnlyList<PendingAlert> fresh) =>
        await budget.TakeAsync(fresh).ConfigureAwait(false);

    public async ValueTask RememberAsync(
        IReadOnlyList<PendingAlert> published,
        IReadOnlyList<PendingAlert> suppressed,
        IReadOnlyCollection<int> partitions,
        IReadOnlyDictionary<int, long> checkpoint)
    {
        var db = redis.GetDatabase();
        var writes = new List<Task>();
        foreach (var alert in published)
        {
            writes.Add(db.StringSetAsync(keys.Alert(alert), alert.Alert.DetectionTime, options.AlertIdRetention));
            if (alert.SuppressionGroup is not null)
            {
                var window = keys.Suppression(alert);
                writes.Add(db.HashSetAsync(window, [new HashEntry(SuppressionAlertField, alert.Alert.Id), new HashEntry(SuppressionCountField, 0)]));
                writes.Add(db.KeyExpireAsync(window, alert.Rule.Suppression!.Window));
            }
        }

        foreach (var alert in suppressed)
        {
            // Counted only while the window lives: a window that expired meanwhile must not come back without a TTL.
            writes.Add(db.ScriptEvaluateAsync(CountSuppressedScript, [keys.Suppression(alert)], [SuppressionCountField]));
        }

        // Past everything just remembered: a later owner recovers only what could still be unremembered.
        checkpoints.Write(db, writes, partitions, checkpoint);

        await Task.WhenAll(writes).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
    }

    /// <summary>How many alerts the window of <paramref name="alert"/>'s group has suppressed so far (0 when none or expired).</summary>
    public async Task<long> SuppressedCountAsync(PendingAlert alert)
    {
        var value = await redis.GetDatabase().HashGetAsync(keys.Suppression(alert), SuppressionCountField).ConfigureAwait(false);
        return value.HasValue ? (long)value : 0;
    }
}
