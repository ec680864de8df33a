using System.Globalization;
using StackExchange.Redis;
using Vigil.Detection;
using Vigil.Redis;

namespace Vigil.Correlator;

/// <summary>
/// max_signals in a stream, for rules that set it: at most that many alerts per rule per interval of event time (see <see cref="SignalBudget"/>),
/// counted in Redis so every correlator instance shares the budget. One pipelined round trip per batch with alerts.
/// A counter is taken before publishing: a crash between the two can only spend budget, never exceed it.
/// </summary>
public sealed class SignalBudgetStore(IConnectionMultiplexer redis, RedisKeys keys, CorrelatorOptions options, CorrelatorMetrics metrics)
{
    /// <summary>The candidates the budget allows, in order (the outbox counts the rest as dropped, why=max-signals).</summary>
    public async Task<IReadOnlyList<PendingAlert>> TakeAsync(IReadOnlyList<PendingAlert> candidates)
    {
        if (!candidates.Any(c => c.Rule.Rule.Schedule.MaxSignals is not null))
        {
            return candidates;
        }

        var db = redis.GetDatabase();
        var buckets = candidates
            .Where(c => c.Rule.Rule.Schedule.MaxSignals is not null)
            .GroupBy(c => (c.Rule, Bucket: SignalBudget.BucketOf(c)))
            .Select(g =>
            {
                var key = keys.Fleet(g.Key.Rule.RuleId, "signals", g.Key.Rule.RuleId, g.Key.Bucket.ToString(CultureInfo.InvariantCulture));
                var spent = db.StringIncrementAsync(key, g.Count());
                _ = db.KeyExpireAsync(key, g.Key.Rule.Rule.Schedule.Interval * 2 + TimeSpan.FromMinutes(1));
                return (Items: g.ToList(), g.Key.Rule, Spent: spent);
            })
            .ToArray();
        await Task.WhenAll(buckets.Select(b => b.Spent)).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        var allowed = candidates.Where(c => c.Rule.Rule.Schedule.MaxSignals is null).ToHashSet();
        foreach (var (items, rule, spent) in buckets)
        {
            var before = spent.Result - items.Count;
            var room = (int)Math.Clamp(rule.Rule.Schedule.MaxSignals!.Value - before, 0, items.Count);
            allowed.UnionWith(items.Take(room));
        }

        return candidates.Where(allowed.Contains).ToList();
    }
}
