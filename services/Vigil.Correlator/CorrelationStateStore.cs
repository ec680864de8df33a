using StackExchange.Redis;

namespace Vigil.Correlator;

/// <summary>
/// <see cref="ICorrelationStateStore"/> on Redis: one string per (rule, host) state with a TTL, one set per telemetry
/// partition of the states holding back events. Every call is one pipelined round trip for the whole batch.
/// </summary>
public sealed class CorrelationStateStore(IConnectionMultiplexer redis, CorrelatorKeys keys, CorrelatorOptions options, CorrelatorMetrics metrics) : ICorrelationStateStore
{
    public async Task<IReadOnlyList<byte[]?>> ReadAsync(IReadOnlyList<StateKey> wanted)
    {
        var db = redis.GetDatabase();
        var reads = new Task<RedisValue>[wanted.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            reads[i] = db.StringGetAsync(keys.State(wanted[i]));
        }

        await Task.WhenAll(reads).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        return reads.Select(r => r.Result.HasValue ? (byte[]?)r.Result : null).ToArray();
    }

    public async Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
    {
        if (states.Count == 0 && held.Count == 0)
        {
            return;
        }

        var db = redis.GetDatabase();
        var writes = new List<Task>(states.Count + held.Count);
        foreach (var change in held)
        {
            var member = change.Key.Member;
            writes.Add(change.Held ? db.SetAddAsync(keys.Held(change.Partition), member) : db.SetRemoveAsync(keys.Held(change.Partition), member));
        }

        foreach (var (key, bytes, expiry) in states)
        {
            writes.Add(bytes is null ? db.KeyDeleteAsync(keys.State(key)) : db.StringSetAsync(keys.State(key), bytes, expiry));
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
    }

    public async Task<IReadOnlyList<(int Partition, string Member)>> ReadHeldAsync(IReadOnlyCollection<int> partitions)
    {
        var db = redis.GetDatabase();
        var reads = partitions.Select(p => (Partition: p, Members: db.SetMembersAsync(keys.Held(p)))).ToArray();
        await Task.WhenAll(reads.Select(r => r.Members)).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        return reads.SelectMany(r => r.Members.Result.Select(m => (r.Partition, (string)m!))).ToList();
    }
}
