using StackExchange.Redis;

namespace Vigil.Correlator;

/// <summary>
/// <see cref="ICorrelationStateStore"/> on Redis: one hash per (rule, host) state with a TTL (a field per pending
/// partial sequence and per buffered event, and a header field), one set per telemetry partition of the states holding
/// back events. A write runs one script per changed state (HSET of the changed fields, HDEL of the removed ones,
/// PEXPIRE: atomic per state), all pipelined in one round trip for the batch; a read is one pipelined round trip too.
/// A state an earlier version stored as one string is read as such and replaced by a hash on its next write.
/// </summary>
public sealed class CorrelationStateStore(IConnectionMultiplexer redis, CorrelatorKeys keys, CorrelatorOptions options, CorrelatorMetrics metrics) : ICorrelationStateStore
{
    // A hash's fields as name/value pairs; a string (an earlier version's blob) as a one-element array; nil if absent.
    private const string ReadScript = """
        local kind = redis.call('TYPE', KEYS[1])['ok']
        if kind == 'hash' then return redis.call('HGETALL', KEYS[1]) end
        if kind == 'string' then return { redis.call('GET', KEYS[1]) } end
        return false
        """;

    // ARGV: expiry (ms), replace (1: drop the key first), number of fields to set, their name/value pairs, then the
    // names to delete. Commands take at most 1,000 arguments each, well inside Lua's stack.
    private const string WriteScript = """
        if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
        local last = 3 + 2 * tonumber(ARGV[3])
        for i = 4, last, 1000 do
          redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(last, i + 999)))
        end
        for i = last + 1, #ARGV, 1000 do
          redis.call('HDEL', KEYS[1], unpack(ARGV, i, math.min(#ARGV, i + 999)))
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    private long fieldsSet;
    private long fieldsDeleted;

    /// <summary>State fields set since start (each changed partial, buffered event or header counts one).</summary>
    public long FieldsSet => Interlocked.Read(ref fieldsSet);

    /// <summary>State fields deleted since start (finished, pruned or evicted partials, released events).</summary>
    public long FieldsDeleted => Interlocked.Read(ref fieldsDeleted);

    public async Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> wanted)
    {
        var db = redis.GetDatabase();
        var reads = new Task<RedisResult>[wanted.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            reads[i] = db.ScriptEvaluateAsync(ReadScript, [keys.State(wanted[i])]);
        }

        await Task.WhenAll(reads).ConfigureAwait(false);
        metrics.RedisRoundTrips.WithLabels(options.Analytic).Inc();
        return reads.Select(r => Stored(r.Result)).ToArray();
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

        foreach (var (key, changes, expiry) in states)
        {
            if (changes is null)
            {
                writes.Add(db.KeyDeleteAsync(keys.State(key)));
                continue;
            }

            var args = new RedisValue[3 + (2 * changes.Set.Count) + changes.Removed.Count];
            args[0] = (long)Math.Ceiling(expiry.TotalMilliseconds);
            args[1] = changes.Replace ? 1 : 0;
            args[2] = changes.Set.Count;
            var at = 3;
            foreach (var (name, value) in changes.Set)
            {
                args[at++] = name;
                args[at++] = value;
            }

            foreach (var name in changes.Removed)
            {
                args[at++] = name;
            }

            Interlocked.Add(ref fieldsSet, changes.Set.Count);
            Interlocked.Add(ref fieldsDeleted, changes.Removed.Count);
            writes.Add(db.ScriptEvaluateAsync(WriteScript, [keys.State(key)], args));
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

    private static StoredState? Stored(RedisResult result)
    {
        if (result.IsNull || result.Resp2Type != ResultType.Array)
        {
            return null;
        }

        var items = (RedisResult[])result!;
        if (items.Length == 1)
        {
            return StoredState.OfBlob((byte[])items[0]!);
        }

        var fields = new KeyValuePair<byte[], byte[]>[items.Length / 2];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new((byte[])items[2 * i]!, (byte[])items[(2 * i) + 1]!);
        }

        return StoredState.OfFields(fields);
    }
}
