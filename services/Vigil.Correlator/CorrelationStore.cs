using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Redis;

namespace Vigil.Correlator;

/// <summary>
/// The correlator's Redis state: per (rule, host) sequence state, remembered alert ids, and suppression
/// windows. Every key carries the host id as a hash tag, so one host's keys live on one cluster slot.
/// Each method is one pipelined round trip for the whole batch.
/// </summary>
public sealed class CorrelationStore(IConnectionMultiplexer redis, RedisKeys keys, CorrelatorOptions options, ILogger<CorrelationStore> logger)
{
    // State outlives its window by this much, so a slow batch never finds it expired mid-sequence.
    private static readonly TimeSpan ProcessingSlack = TimeSpan.FromMinutes(1);

    /// <summary>Loads the states of <paramref name="wanted"/>; absent or unreadable ones start empty.</summary>
    public async Task<Dictionary<StateKey, HostState<TelemetryEvent>>> LoadAsync(IReadOnlyCollection<StateKey> wanted)
    {
        var db = redis.GetDatabase();
        var reads = wanted.Select(k => (Key: k, Value: db.StringGetAsync(StateKeyOf(k)))).ToArray();
        await Task.WhenAll(reads.Select(r => r.Value)).ConfigureAwait(false);
        CorrelatorMetrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        var states = new Dictionary<StateKey, HostState<TelemetryEvent>>(reads.Length);
        foreach (var (key, value) in reads)
        {
            var bytes = value.Result;
            states[key] = bytes.HasValue ? Read(key, bytes!) : key.Rule.Engine.CreateState(key.HostId);
        }

        return states;
    }

    /// <summary>Which of <paramref name="candidates"/> must not be published: already published (a replay) or inside a suppression window.</summary>
    public async Task<Dictionary<string, string>> FindRepeatsAsync(IReadOnlyList<PendingAlert> candidates)
    {
        var db = redis.GetDatabase();
        var checks = candidates.Select(c => (
            c.Alert.Id,
            Published: db.KeyExistsAsync(AlertKeyOf(c)),
            Suppressed: c.SuppressionKey is null ? Task.FromResult(false) : db.KeyExistsAsync(SuppressionKeyOf(c)))).ToArray();
        await Task.WhenAll(checks.SelectMany(c => new[] { c.Published, c.Suppressed })).ConfigureAwait(false);
        CorrelatorMetrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        var repeats = new Dictionary<string, string>();
        foreach (var check in checks)
        {
            if (check.Published.Result)
            {
                repeats[check.Id] = "duplicate";
            }
            else if (check.Suppressed.Result)
            {
                repeats[check.Id] = "suppression-window";
            }
        }

        return repeats;
    }

    /// <summary>Writes changed states (deleting empty ones) and remembers published alerts, in one round trip.</summary>
    public async Task CommitAsync(IEnumerable<KeyValuePair<StateKey, HostState<TelemetryEvent>>> changed, IReadOnlyList<PendingAlert> published)
    {
        var db = redis.GetDatabase();
        var writes = new List<Task>();
        foreach (var (key, state) in changed)
        {
            writes.Add(key.Rule.Engine.ExpiresAt(state) is null
                ? db.KeyDeleteAsync(StateKeyOf(key))
                : db.StringSetAsync(StateKeyOf(key), key.Rule.States.Serialize(state), key.Rule.Engine.StateRetention + ProcessingSlack));
        }

        foreach (var alert in published)
        {
            writes.Add(db.StringSetAsync(AlertKeyOf(alert), alert.Alert.DetectionTime, options.AlertIdRetention));
            if (alert.SuppressionKey is not null)
            {
                writes.Add(db.StringSetAsync(SuppressionKeyOf(alert), alert.Alert.Id, alert.Rule.SuppressionWindow!.Value));
            }
        }

        if (writes.Count == 0)
        {
            return;
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        CorrelatorMetrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
    }

    internal RedisKey StateKeyOf(StateKey key) => keys.Host(key.HostId, "seq", key.Rule.RuleId, key.Rule.Query.Fingerprint);

    private RedisKey AlertKeyOf(PendingAlert alert) => keys.Host(alert.Alert.Host.Id, "alert", alert.Alert.Id);

    private RedisKey SuppressionKeyOf(PendingAlert alert) => keys.Host(alert.Alert.Host.Id, "suppress", alert.Rule.RuleId, alert.SuppressionKey!);

    private HostState<TelemetryEvent> Read(StateKey key, byte[] bytes)
    {
        try
        {
            return key.Rule.States.Deserialize(bytes);
        }
        catch (InvalidDataException e)
        {
            // The fingerprint in the key keeps states of edited rules apart, so this is corruption: start over.
            logger.LogWarning("Discarding unreadable state of rule {Rule} for host {Host}: {Reason}", key.Rule.RuleId, key.HostId, e.Message);
            return key.Rule.Engine.CreateState(key.HostId);
        }
    }
}
