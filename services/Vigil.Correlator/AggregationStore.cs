using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Vigil.Detection;
using Vigil.Eql.Sequences;
using Vigil.Redis;

namespace Vigil.Correlator;

/// <summary>
/// Redis state of threshold and new_terms rules, read in one pipelined round trip per batch and written after the
/// batch's alerts are published (a crash replays the events and re-derives the same alert ids).
/// <list type="bullet">
/// <item>Threshold: one string per (rule, group), the serialized <see cref="ThresholdGroup"/>, expiring one window after
/// its newest event. Under the host's hash tag when threshold.field includes host.id, else under a tag made from the
/// group values, so groups spread over a Redis Cluster. A sorted set per (rule, host), or per rule and fleet bucket,
/// indexes the groups by their newest event; it holds at most <see cref="CorrelatorOptions.ThresholdGroupsPerHost"/>
/// groups, the oldest evicted (and counted) beyond that.</item>
/// <item>New terms: one hash per (rule, host) when new_terms fields include host.id, else one of
/// <see cref="FleetBuckets"/> hashes per rule (tag = bucket); field = digest of the combination, value = last-seen event
/// time. Each hash holds at most <see cref="CorrelatorOptions.NewTermsPerHash"/> combinations: over that, the least
/// recently seen are evicted (and counted). Keys expire one history window after their last write.</item>
/// <item>The event time a new_terms rule started learning: one string per rule, set once.</item>
/// </list>
/// </summary>
public sealed class AggregationStore(IConnectionMultiplexer redis, RedisKeys keys, CorrelatorOptions options, CorrelatorMetrics metrics, ILogger<AggregationStore> logger)
{
    /// <summary>Fleet-wide new-terms state is split over this many hashes (and cluster slots) per rule.</summary>
    public const int FleetBuckets = 256;

    private static readonly TimeSpan Slack = TimeSpan.FromMinutes(1);

    // Learning start times never change once set, so each is read from Redis once per process.
    private readonly Dictionary<CompiledRule, long> learningSince = [];

    // Evictions are logged once per (rule, host or fleet bucket) per window, like the sequence state's: the metric
    // counts every one, and a flooding host writes one line per window instead of one per eviction round.
    private readonly StateLimitLog evictionLog = new();

    /// <summary>Runs <paramref name="work"/> against Redis state; returns the verdicts and the writes to commit after publishing.</summary>
    public async Task<(List<(CompiledRule Rule, PendingAlert Verdict)> Verdicts, AggregationWrites Writes)> ProcessAsync(
        IReadOnlyList<AggregationWork> work, AggregationAlerts alerts)
    {
        var db = redis.GetDatabase();
        var groupKeys = new Dictionary<RedisKey, (CompiledRule Rule, JoinKey Terms)>();
        var termFields = new Dictionary<(RedisKey Hash, string Field), (CompiledRule Rule, JoinKey Terms)>();
        var perEvent = new List<(AggregationWork Work, IReadOnlyList<JoinKey> Terms)>(work.Count);
        var learningWanted = new Dictionary<CompiledRule, long>();
        foreach (var item in work)
        {
            if (item.Rule.Threshold is { } threshold)
            {
                var eventGroups = threshold.Groups.Of(item.Event);
                perEvent.Add((item, eventGroups));
                foreach (var terms in eventGroups)
                {
                    groupKeys.TryAdd(ThresholdKey(item.Rule, threshold.Groups, terms), (item.Rule, terms));
                }
            }
            else if (item.Rule.NewTerms is { } newTerms)
            {
                var combinations = newTerms.Terms.Of(item.Event);
                perEvent.Add((item, combinations));
                foreach (var combination in combinations)
                {
                    termFields.TryAdd(NewTermsSlot(item.Rule, newTerms.Terms, combination), (item.Rule, combination));
                }

                if (!learningSince.ContainsKey(item.Rule))
                {
                    var time = newTerms.Clock.TimeOf(item.Event);
                    learningWanted[item.Rule] = Math.Min(learningWanted.GetValueOrDefault(item.Rule, long.MaxValue), time);
                }
            }
        }

        var groupReads = groupKeys.Keys.Select(k => (Key: k, Value: db.StringGetAsync(k))).ToArray();
        var termReads = termFields.Keys.Select(k => (Slot: k, Value: db.HashGetAsync(k.Hash, k.Field))).ToArray();
        var learningReads = learningWanted.Select(w =>
        {
            var key = LearningKey(w.Key);
            _ = db.StringSetAsync(key, w.Value, when: When.NotExists);
            return (Rule: w.Key, Value: db.StringGetAsync(key));
        }).ToArray();
        await Task.WhenAll(groupReads.Select(r => (Task)r.Value).Concat(termReads.Select(r => r.Value)).Concat(learningReads.Select(r => r.Value))).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();

        var groups = new Dictionary<RedisKey, ThresholdGroup>();
        foreach (var (key, value) in groupReads)
        {
            groups[key] = value.Result.HasValue ? ReadGroup(key, value.Result!) : new ThresholdGroup();
        }

        var lastSeen = new Dictionary<(RedisKey Hash, string Field), long?>();
        foreach (var (slot, value) in termReads)
        {
            lastSeen[slot] = value.Result.HasValue && long.TryParse((string?)value.Result, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seen) ? seen : null;
        }

        foreach (var (rule, value) in learningReads)
        {
            learningSince[rule] = long.TryParse((string?)value.Result, NumberStyles.Integer, CultureInfo.InvariantCulture, out var since) ? since : learningWanted[rule];
        }

        var verdicts = new List<(CompiledRule, PendingAlert)>();
        var writes = new AggregationWrites();
        foreach (var (item, terms) in perEvent)
        {
            var rule = item.Rule;
            if (rule.Threshold is { } threshold)
            {
                foreach (var group in terms)
                {
                    var key = ThresholdKey(rule, threshold.Groups, group);
                    var state = groups[key];
                    if (threshold.Add(state, group, item.Event) is { } crossing)
                    {
                        verdicts.Add((rule, alerts.Threshold(rule, crossing)));
                    }

                    writes.Groups[key] = (rule, state);
                }
            }
            else if (rule.NewTerms is { } newTerms)
            {
                var time = newTerms.Clock.TimeOf(item.Event);
                var learning = newTerms.IsLearning(learningSince[rule], time);
                foreach (var combination in terms)
                {
                    var slot = NewTermsSlot(rule, newTerms.Terms, combination);
                    var seen = lastSeen[slot];
                    if (!learning && newTerms.IsNew(seen, time))
                    {
                        verdicts.Add((rule, alerts.NewTerm(rule, combination, item.Event)));
                    }

                    var latest = Math.Max(seen ?? long.MinValue, time);
                    lastSeen[slot] = latest;
                    writes.Terms[slot] = (rule, latest);
                }
            }
        }

        return (verdicts, writes);
    }

    /// <summary>Writes changed groups and last-seen times, then evicts the oldest combinations of any hash over its cap.</summary>
    public async Task CommitAsync(AggregationWrites writes)
    {
        if (writes.IsEmpty)
        {
            return;
        }

        var db = redis.GetDatabase();
        var tasks = new List<Task>();
        var indexes = new Dictionary<RedisKey, CompiledRule>();
        var groupCounts = new Dictionary<RedisKey, (CompiledRule Rule, Task<long> Count)>();
        foreach (var (key, (rule, group)) in writes.Groups)
        {
            var index = ThresholdIndex(key, rule);
            if (rule.Threshold!.ExpiresAt(group) is null)
            {
                tasks.Add(db.KeyDeleteAsync(key));
                tasks.Add(db.SortedSetRemoveAsync(index, key.ToString()));
                continue;
            }

            tasks.Add(db.StringSetAsync(key, group.Serialize(), rule.Threshold.StateRetention + Slack));
            tasks.Add(db.SortedSetAddAsync(index, key.ToString(), group.Newest));
            indexes[index] = rule;
        }

        // Counted after every add of the batch (same pipeline, sent in order).
        foreach (var (index, rule) in indexes)
        {
            tasks.Add(db.KeyExpireAsync(index, rule.Threshold!.StateRetention + Slack));
            var count = db.SortedSetLengthAsync(index);
            groupCounts[index] = (rule, count);
            tasks.Add(count);
        }

        var sizes = new List<(RedisKey Hash, CompiledRule Rule, Task<long> Length)>();
        foreach (var hash in writes.Terms.GroupBy(t => t.Key.Hash))
        {
            var rule = hash.First().Value.Rule;
            tasks.Add(db.HashSetAsync(hash.Key, hash.Select(t => new HashEntry(t.Key.Field, t.Value.LastSeen)).ToArray()));
            tasks.Add(db.KeyExpireAsync(hash.Key, rule.NewTerms!.StateRetention + Slack));
            var length = db.HashLengthAsync(hash.Key);
            sizes.Add((hash.Key, rule, length));
            tasks.Add(length);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        foreach (var (hash, rule, length) in sizes.Where(s => s.Length.Result > options.NewTermsPerHash))
        {
            await EvictAsync(db, hash, rule, length.Result).ConfigureAwait(false);
        }

        foreach (var (index, (rule, count)) in groupCounts.Where(g => g.Value.Count.Result > options.ThresholdGroupsPerHost))
        {
            await EvictGroupsAsync(db, index, rule, count.Result).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the groups with the oldest newest event down to 90% of the cap, so eviction runs rarely.</summary>
    private async Task EvictGroupsAsync(IDatabase db, RedisKey index, CompiledRule rule, long count)
    {
        var keep = Math.Max(1, options.ThresholdGroupsPerHost * 9 / 10);
        var victims = await db.SortedSetRangeByRankAsync(index, 0, count - keep - 1).ConfigureAwait(false);
        if (victims.Length == 0)
        {
            return;
        }

        // One DEL per group: fleet groups live on slots of their own.
        await Task.WhenAll(victims.Select(v => (Task)db.KeyDeleteAsync(v.ToString())).Append(db.SortedSetRemoveAsync(index, victims))).ConfigureAwait(false);
        metrics.StateEvictions.WithLabels(options.Analytic, rule.RuleId).Inc(victims.Length);
        if (evictionLog.ShouldLog(rule.RuleId, index.ToString(), DateTimeOffset.UtcNow))
        {
            logger.LogWarning(
                "Rule {Rule} had {Count} threshold groups in {Index}, over Correlator:ThresholdGroupsPerHost ({Cap}): evicted the {Evicted} idle longest (logged once per host per {Window}; counted in vigil_correlator_state_evictions_total)",
                rule.RuleId, count, index, options.ThresholdGroupsPerHost, victims.Length, StateLimitLog.Window);
        }
    }

    /// <summary>
    /// The index of a group's key: beside a host's groups (same hash tag; the key ends in the group digest) when the
    /// key is under the host's tag, else one of <see cref="FleetBuckets"/> per rule, chosen by the group digest (the
    /// fleet key's hash tag).
    /// </summary>
    private RedisKey ThresholdIndex(RedisKey groupKey, CompiledRule rule)
    {
        var text = groupKey.ToString();
        if (rule.Threshold!.Groups.HostIndex is not null)
        {
            return text[..text.LastIndexOf(':')] + ":groups";
        }

        var tag = text.IndexOf('{', StringComparison.Ordinal) + 1;
        return keys.Fleet(rule.RuleId + "/" + text.Substring(tag, 2), "thr-groups", rule.RuleId, rule.Query.Fingerprint);
    }

    /// <summary>Drops the least recently seen combinations of one hash down to 90% of the cap, so eviction runs rarely.</summary>
    private async Task EvictAsync(IDatabase db, RedisKey hash, CompiledRule rule, long length)
    {
        var entries = await db.HashGetAllAsync(hash).ConfigureAwait(false);
        var keep = options.NewTermsPerHash * 9 / 10;
        var victims = entries
            .OrderBy(e => (long)e.Value)
            .Take((int)Math.Max(0, entries.Length - keep))
            .Select(e => e.Name)
            .ToArray();
        if (victims.Length > 0)
        {
            await db.HashDeleteAsync(hash, victims).ConfigureAwait(false);
            metrics.StateEvictions.WithLabels(options.Analytic, rule.RuleId).Inc(victims.Length);
            if (evictionLog.ShouldLog(rule.RuleId, hash.ToString(), DateTimeOffset.UtcNow))
            {
                logger.LogWarning(
                    "Rule {Rule} had {Length} new-terms combinations in {Hash}, over Correlator:NewTermsPerHash ({Cap}): evicted the {Evicted} least recently seen (logged once per host per {Window}; counted in vigil_correlator_state_evictions_total)",
                    rule.RuleId, length, hash, options.NewTermsPerHash, victims.Length, StateLimitLog.Window);
            }
        }
    }

    private RedisKey ThresholdKey(CompiledRule rule, TermCombinations fields, JoinKey terms)
    {
        var digest = Digest(terms);
        return fields.HostIndex is { } host
            ? keys.Host(terms.Values[host] ?? string.Empty, "thr", rule.RuleId, rule.Query.Fingerprint, digest)
            : keys.Fleet(digest, "thr", rule.RuleId, rule.Query.Fingerprint);
    }

    private (RedisKey Hash, string Field) NewTermsSlot(CompiledRule rule, TermCombinations fields, JoinKey combination)
    {
        var digest = Digest(combination);
        var hash = fields.HostIndex is { } host
            ? keys.Host(combination.Values[host] ?? string.Empty, "nt", rule.RuleId, rule.Query.Fingerprint)
            : keys.Fleet(rule.RuleId + "/" + digest[..2], "nt", rule.RuleId, rule.Query.Fingerprint);
        return (hash, digest);
    }

    private RedisKey LearningKey(CompiledRule rule) => keys.Fleet(rule.RuleId, "nt-learning", rule.RuleId, rule.Query.Fingerprint);

    /// <summary>A stable 128-bit digest of the values (hex), so keys stay short whatever the values hold.</summary>
    private static string Digest(JoinKey values)
    {
        var text = string.Join('\u001f', values.Values.Select(v => v ?? string.Empty));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }

    private ThresholdGroup ReadGroup(RedisKey key, byte[] bytes)
    {
        try
        {
            return ThresholdGroup.Deserialize(bytes);
        }
        catch (InvalidDataException e)
        {
            logger.LogWarning("Discarding unreadable threshold state {Key}: {Reason}", key, e.Message);
            return new ThresholdGroup();
        }
    }
}
