using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace Vigil.Correlator;

/// <summary>
/// <see cref="ICorrelationStateStore"/> on Redis: one hash per (rule, host) state with a TTL (a field per pending
/// partial sequence and per buffered event, and a header field), one set per telemetry partition of the states holding
/// back events. A write is one script call for the whole batch (per state HSET of the changed fields, HDEL of the
/// removed ones, PEXPIRE, or DEL of an emptied state; SADD/SREM of the held-set changes): atomic for the batch, one
/// round trip, and a few allocations per batch rather than a command, a task and argument arrays per state. On a
/// Redis Cluster a batch whose keys span slots makes one call per slot, sent back to back. A read is one pipelined
/// round trip too.
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

    // One call applies a batch's writes. KEYS: the keys it touches, in order; ARGV[1]: the plan, one entry per key,
    // "<op><expiry ms>,<replace>,<n>,<m>;" where op is
    //   w  a state write: DEL first if replace is 1, HSET of the next n name/value pairs of ARGV, HDEL of the m names
    //      after them, then PEXPIRE;
    //   x  delete the state (it is empty);
    //   a  SADD of the next n members of ARGV to a held set; r: SREM of them.
    // Commands take at most 1,000 arguments each, well inside Lua's stack.
    private const string WriteScript = """
        local at = 2
        local k = 0
        for op, expiry, replace, n, m in string.gmatch(ARGV[1], '(%a)(%d+),(%d),(%d+),(%d+);') do
          k = k + 1
          local key = KEYS[k]
          local last = at + tonumber(n) * (op == 'w' and 2 or 1) - 1
          if op == 'x' then
            redis.call('DEL', key)
          elseif op == 'w' then
            if replace == '1' then redis.call('DEL', key) end
            for i = at, last, 1000 do
              redis.call('HSET', key, unpack(ARGV, i, math.min(last, i + 999)))
            end
            at = last + 1
            last = at + tonumber(m) - 1
            for i = at, last, 1000 do
              redis.call('HDEL', key, unpack(ARGV, i, math.min(last, i + 999)))
            end
            redis.call('PEXPIRE', key, expiry)
          else
            local command = op == 'a' and 'SADD' or 'SREM'
            for i = at, last, 1000 do
              redis.call(command, key, unpack(ARGV, i, math.min(last, i + 999)))
            end
          end
          at = last + 1
        end
        return k
        """;

    // The longest plan entry: op, a long, the replace flag, two ints and four separators.
    private const int PlanEntryBytes = 48;

    // The held set of each partition, named once (the name is built from the partition number).
    private readonly ConcurrentDictionary<int, RedisKey> heldKeys = new();
    private readonly Prometheus.Counter.Child roundTrips = metrics.RedisRoundTrips.WithLabels(options.Analytic);

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
        roundTrips.Inc();
        return reads.Select(r => Stored(r.Result)).ToArray();
    }

    public async Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(held);
        if (states.Count == 0 && held.Count == 0)
        {
            return;
        }

        var db = redis.GetDatabase();
        if (OneSlot(states, held))
        {
            await WriteInOneCallAsync(db, states, held).ConfigureAwait(false);
        }
        else
        {
            // Redis Cluster runs a script only over keys of one slot: one call per slot, all sent back to back.
            var groups = new Dictionary<int, (List<StateWrite> States, List<HeldChange> Held)>();
            foreach (var change in held)
            {
                Group(groups, redis.HashSlot(HeldKey(change.Partition))).Held.Add(change);
            }

            foreach (var write in states)
            {
                Group(groups, redis.HashSlot(keys.State(write.Key))).States.Add(write);
            }

            await Task.WhenAll(groups.Values.Select(g => WriteInOneCallAsync(db, g.States, g.Held))).ConfigureAwait(false);
        }

        roundTrips.Inc();
    }

    public async Task<IReadOnlyList<(int Partition, string Member)>> ReadHeldAsync(IReadOnlyCollection<int> partitions)
    {
        var db = redis.GetDatabase();
        var reads = partitions.Select(p => (Partition: p, Members: db.SetMembersAsync(keys.Held(p)))).ToArray();
        await Task.WhenAll(reads.Select(r => r.Members)).ConfigureAwait(false);
        roundTrips.Inc();
        return reads.SelectMany(r => r.Members.Result.Select(m => (r.Partition, (string)m!))).ToList();
    }

    private static (List<StateWrite> States, List<HeldChange> Held) Group(Dictionary<int, (List<StateWrite>, List<HeldChange>)> groups, int slot)
    {
        if (!groups.TryGetValue(slot, out var group))
        {
            groups[slot] = group = ([], []);
        }

        return group;
    }

    /// <summary>
    /// Whether every key of the write hashes to one slot: always on a standalone server (no slots), and on a cluster
    /// when the batch touched one host's states only.
    /// </summary>
    private bool OneSlot(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
    {
        int? slot = null;
        foreach (var change in held)
        {
            if (!Same(ref slot, redis.HashSlot(HeldKey(change.Partition))))
            {
                return false;
            }
        }

        for (var i = 0; i < states.Count; i++)
        {
            if (!Same(ref slot, redis.HashSlot(keys.State(states[i].Key))))
            {
                return false;
            }
        }

        return true;

        static bool Same(ref int? slot, int next) => (slot ??= next) == next;
    }

    private RedisKey HeldKey(int partition) => heldKeys.GetOrAdd(partition, static (p, k) => k.Held(p), keys);

    /// <summary>
    /// Every held-set change and state write in one script call (atomic as a whole): the key and argument arrays are
    /// sized once for the batch, the values are the changes' own bytes, and the plan is written into a pooled buffer.
    /// </summary>
    private async Task WriteInOneCallAsync(IDatabase db, IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
    {
        var values = 1 + held.Count;
        for (var i = 0; i < states.Count; i++)
        {
            if (states[i].Changes is { } changes)
            {
                values += (2 * changes.Set.Count) + changes.Removed.Count;
            }
        }

        var touched = new RedisKey[held.Count + states.Count];
        var args = new RedisValue[values];
        var plan = ArrayPool<byte>.Shared.Rent(PlanEntryBytes * touched.Length);
        var planLength = 0;
        var k = 0;
        var at = 1;
        foreach (var change in held)
        {
            touched[k++] = HeldKey(change.Partition);
            planLength += PlanEntry(plan.AsSpan(planLength), change.Held ? (byte)'a' : (byte)'r', 0, false, 1, 0);
            args[at++] = change.Key.Member;
        }

        for (var i = 0; i < states.Count; i++)
        {
            var (key, changes, expiry) = states[i];
            touched[k++] = keys.State(key);
            if (changes is null)
            {
                planLength += PlanEntry(plan.AsSpan(planLength), (byte)'x', 0, false, 0, 0);
                continue;
            }

            var set = changes.Set;
            var removed = changes.Removed;
            planLength += PlanEntry(plan.AsSpan(planLength), (byte)'w', (long)Math.Ceiling(expiry.TotalMilliseconds), changes.Replace, set.Count, removed.Count);
            for (var f = 0; f < set.Count; f++)
            {
                args[at++] = set[f].Key;
                args[at++] = set[f].Value;
            }

            for (var f = 0; f < removed.Count; f++)
            {
                args[at++] = removed[f];
            }

            Interlocked.Add(ref fieldsSet, set.Count);
            Interlocked.Add(ref fieldsDeleted, removed.Count);
        }

        args[0] = new ReadOnlyMemory<byte>(plan, 0, planLength);
        await db.ScriptEvaluateAsync(WriteScript, touched, args).ConfigureAwait(false);

        // Only once the call completed: a failed one may still sit in the connection's queue, reading the plan.
        ArrayPool<byte>.Shared.Return(plan);
    }

    private static int PlanEntry(Span<byte> into, byte op, long expiryMs, bool replace, int n, int m)
    {
        into[0] = op;
        var at = 1;
        at += Format(into[at..], expiryMs);
        into[at++] = (byte)',';
        into[at++] = replace ? (byte)'1' : (byte)'0';
        into[at++] = (byte)',';
        at += Format(into[at..], n);
        into[at++] = (byte)',';
        at += Format(into[at..], m);
        into[at++] = (byte)';';
        return at;

        static int Format(Span<byte> into, long value) =>
            value.TryFormat(into, out var written, default, CultureInfo.InvariantCulture) ? written : throw new InvalidOperationException("A plan entry outgrew its buffer.");
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
