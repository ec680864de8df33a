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
    private readonly StateLimitLog stateLimitLog = new();

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
            Suppressed: c.SuppressionGroup is null ? Task.FromResult(false) : db.KeyExistsAsync(SuppressionKeyOf(c)))).ToArray();
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
                repeats[check.Id] = "suppressed";
            }
        }

        return repeats;
    }

    /// <summary>
    /// Writes changed states (deleting empty ones), remembers published alerts and checkpoints the
    /// alert-topic cursor for the telemetry partitions involved, in one round trip.
    /// </summary>
    public async Task CommitAsync(
        IEnumerable<KeyValuePair<StateKey, HostState<TelemetryEvent>>> changed,
        IReadOnlyList<PendingAlert> published,
        IReadOnlyList<PendingAlert> suppressed,
        IReadOnlyCollection<int> partitions,
        IReadOnlyDictionary<int, long> alertCursor,
        IReadOnlyCollection<HeldChange> heldChanges)
    {
        var db = redis.GetDatabase();
        var writes = new List<Task>();
        foreach (var change in heldChanges)
        {
            var member = HeldMember(change.Key);
            writes.Add(change.Held ? db.SetAddAsync(HeldKeyOf(change.Partition), member) : db.SetRemoveAsync(HeldKeyOf(change.Partition), member));
        }

        if (alertCursor.Count > 0)
        {
            var fields = alertCursor.Select(c => new HashEntry(c.Key, c.Value)).ToArray();
            writes.AddRange(partitions.Select(p => db.HashSetAsync(CheckpointKeyOf(p), fields)));
        }

        foreach (var (key, state) in changed)
        {
            if (key.Rule.Engine.ExpiresAt(state) is null)
            {
                writes.Add(db.KeyDeleteAsync(StateKeyOf(key)));
                continue;
            }

            // The serializer keeps the value within the rule's byte limit, evicting the oldest partials if it must.
            var (bytes, evicted) = key.Rule.States.SerializeBounded(state);
            if (evicted > 0)
            {
                CorrelatorMetrics.Rejected.WithLabels(options.Analytic, key.Rule.RuleId, "state_limit").Inc(evicted);
                if (stateLimitLog.ShouldLog(key.Rule.RuleId, state.HostId, DateTimeOffset.UtcNow))
                {
                    logger.LogWarning(
                        "Rule {Rule} on host {Host}: state over {Limit} bytes, evicted {Evicted} oldest partial sequence(s) (logged once per host per {Window})",
                        key.Rule.RuleId, state.HostId, key.Rule.States.MaxStateBytes, evicted, StateLimitLog.Window);
                }
            }

            writes.Add(db.StringSetAsync(StateKeyOf(key), bytes, key.Rule.Engine.StateRetention + ProcessingSlack));
        }

        foreach (var alert in published)
        {
            writes.Add(db.StringSetAsync(AlertKeyOf(alert), alert.Alert.DetectionTime, options.AlertIdRetention));
            if (alert.SuppressionGroup is not null)
            {
                // The window's hash: the alert that opened it and how many it has suppressed since (Elastic's
                // kibana.alert.suppression.docs_count, which a published alert can no longer carry).
                var key = SuppressionKeyOf(alert);
                writes.Add(db.HashSetAsync(key, [new HashEntry(SuppressionAlertField, alert.Alert.Id), new HashEntry(SuppressionCountField, 0)]));
                writes.Add(db.KeyExpireAsync(key, alert.Rule.Suppression!.Window));
            }
        }

        foreach (var alert in suppressed)
        {
            // Counted only while the window lives: a window that expired meanwhile must not come back without a TTL.
            writes.Add(db.ScriptEvaluateAsync(CountSuppressedScript, [SuppressionKeyOf(alert)], [SuppressionCountField]));
        }

        if (writes.Count == 0)
        {
            return;
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        CorrelatorMetrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
    }

    /// <summary>The alert-topic offsets checkpointed per telemetry partition (partitions never checkpointed are absent).</summary>
    public async Task<IReadOnlyDictionary<int, IReadOnlyDictionary<int, long>>> LoadCheckpointsAsync(IReadOnlyCollection<int> partitions)
    {
        var db = redis.GetDatabase();
        var reads = partitions.Select(p => (Partition: p, Entries: db.HashGetAllAsync(CheckpointKeyOf(p)))).ToArray();
        await Task.WhenAll(reads.Select(r => r.Entries)).ConfigureAwait(false);
        CorrelatorMetrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        return reads
            .Where(r => r.Entries.Result.Length > 0)
            .ToDictionary(
                r => r.Partition,
                r => (IReadOnlyDictionary<int, long>)r.Entries.Result.ToDictionary(e => (int)e.Name, e => (long)e.Value));
    }

    /// <summary>Checkpoints partitions that have none yet, before anything is published for them.</summary>
    public async Task SaveCheckpointsAsync(IReadOnlyCollection<int> partitions, IReadOnlyDictionary<int, long> alertCursor)
    {
        if (partitions.Count == 0 || alertCursor.Count == 0)
        {
            return;
        }

        var db = redis.GetDatabase();
        var fields = alertCursor.Select(c => new HashEntry(c.Key, c.Value)).ToArray();
        await Task.WhenAll(partitions.Select(p => db.HashSetAsync(CheckpointKeyOf(p), fields))).ConfigureAwait(false);
        CorrelatorMetrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
    }

    /// <summary>States of these telemetry partitions that hold back events (recorded by their previous owner), for release after a crash.</summary>
    public async Task<IReadOnlyList<(int Partition, StateKey Key)>> LoadHeldAsync(IReadOnlyCollection<int> partitions, AnalyticPack pack)
    {
        var db = redis.GetDatabase();
        var reads = partitions.Select(p => (Partition: p, Members: db.SetMembersAsync(HeldKeyOf(p)))).ToArray();
        await Task.WhenAll(reads.Select(r => r.Members)).ConfigureAwait(false);
        CorrelatorMetrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        var rules = pack.Rules.ToDictionary(r => r.RuleId + Separator + r.Query.Fingerprint);
        var held = new List<(int, StateKey)>();
        foreach (var (partition, members) in reads)
        {
            foreach (var member in members.Result.Select(m => (string)m!))
            {
                var split = member.LastIndexOf(Separator);
                // A member of a rule no longer in the pack (or edited since) has no state to release.
                if (split > 0 && rules.TryGetValue(member[..split], out var rule))
                {
                    held.Add((partition, new StateKey(rule, member[(split + 1)..])));
                }
            }
        }

        return held;
    }

    private const char Separator = '\u001f';

    private static string HeldMember(StateKey key) => key.Rule.RuleId + Separator + key.Rule.Query.Fingerprint + Separator + key.HostId;

    private RedisKey HeldKeyOf(int partition) =>
        keys.Fleet($"held-{options.Analytic}", "held", options.Analytic, partition.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // Per analytic and telemetry partition; kept as long as alert ids are, since recovery needs no older range.
    private RedisKey CheckpointKeyOf(int partition) =>
        keys.Fleet($"alert-cursor-{options.Analytic}", "alert-cursor", options.Analytic, partition.ToString(System.Globalization.CultureInfo.InvariantCulture));

    internal RedisKey StateKeyOf(StateKey key) => keys.Host(key.HostId, "seq", key.Rule.RuleId, key.Rule.Query.Fingerprint);

    private RedisKey AlertKeyOf(PendingAlert alert) => keys.Host(alert.Alert.Host.Id, "alert", alert.Alert.Id);

    private const string SuppressionAlertField = "alert";

    private const string SuppressionCountField = "docs_count";

    private const string CountSuppressedScript = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HINCRBY', KEYS[1], ARGV[1], 1) end return 0";

    /// <summary>
    /// A suppression window's key: with the host's state when the rule groups by host.id, else fleet-wide under a
    /// hash tag taken from the group's hash, so groups spread over a Redis Cluster's slots.
    /// </summary>
    internal RedisKey SuppressionKeyOf(PendingAlert alert)
    {
        var group = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(alert.SuppressionGroup!)).AsSpan(0, 12));
        return alert.IsSuppressedPerHost
            ? keys.Host(alert.Alert.Host.Id, "suppress", alert.Rule.RuleId, group)
            : keys.Fleet(group[..8], "suppress", alert.Rule.RuleId, group);
    }

    /// <summary>How many alerts the window of <paramref name="alert"/>'s group has suppressed so far (0 when none or expired).</summary>
    public async Task<long> SuppressedCountAsync(PendingAlert alert)
    {
        var value = await redis.GetDatabase().HashGetAsync(SuppressionKeyOf(alert), SuppressionCountField).ConfigureAwait(false);
        return value.HasValue ? (long)value : 0;
    }

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
