using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using StackExchange.Redis;
using Vigil.Redis;

namespace Vigil.Correlator;

/// <summary>
/// <see cref="ICorrelationStateStore"/> on Redis: one hash per (rule, host) state with a TTL (a field per pending
/// partial sequence and per buffered event, and a header field), one set per telemetry partition of the states holding
/// back events. A write is one script call for the whole batch (per state HSET of the changed fields, HDEL of the
/// removed ones, PEXPIRE, or DEL of an emptied state; SADD/SREM of the held-set changes): atomic for the batch, one
/// round trip, its arguments a plan in a reused buffer and views of the batch's bytes where they lie, so a batch allocates a
/// key array, an argument array and a command rather than a command, a task and an argument array per state. On a
/// Redis Cluster a batch whose keys span slots makes one call per slot, sent back to back. A read is one pipelined
/// round trip too.
/// A state an earlier version stored as one string is read as such and replaced by a hash on its next write.
/// </summary>
public sealed class CorrelationStateStore(IConnectionMultiplexer redis, CorrelatorKeys keys, CorrelatorOptions options, CorrelatorMetrics metrics) : ICorrelationStateStore
{
    // Per key, in order: a hash's fields as name/value pairs; a string (an earlier version's blob) as a one-element
    // array; nil if absent.
    private const string ReadScript = """
        local out = {}
        for i, key in ipairs(KEYS) do
          local kind = redis.call('TYPE', key)['ok']
          if kind == 'hash' then out[i] = redis.call('HGETALL', key)
          elseif kind == 'string' then out[i] = { redis.call('GET', key) }
          else out[i] = false end
        end
        return out
        """;

    // KEYS[1]: a partition's handoff set. ARGV[1]: its expiry in ms; ARGV[2..]: its members (SADD of 1,000 a command,
    // well inside Lua's stack). One call: atomic, so no failure leaves a set without its expiry.
    private const string WriteHandoffScript = """
        redis.call('UNLINK', KEYS[1])
        local n = #ARGV
        for i = 2, n, 1000 do
          redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, n)))
        end
        if n > 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return n - 1
        """;

    // KEYS[1]: a partition's handoff set; ARGV[1]: most members to read (SRANDMEMBER with a positive count returns
    // distinct members). The set goes either way: it is read once.
    private const string TakeHandoffScript = """
        local most = tonumber(ARGV[1])
        local out = {}
        if most > 0 then out = redis.call('SRANDMEMBER', KEYS[1], most) end
        redis.call('UNLINK', KEYS[1])
        return out
        """;

    // Keys per read call: a first batch after an assignment may name thousands of states; calls of this size are sent
    // back to back (one round trip). Redis runs one script at a time and builds its whole reply in memory, and a state
    // may be up to MaxStateBytes, so a call stays small enough to keep every other client's wait short.
    private const int ReadChunk = 32;

    // One call applies a batch's writes. KEYS: the keys it touches, in order. ARGV[1]: the plan, per key an op letter
    // and its numbers, each number ended by ','; ARGV[2..]: every name, value and member, in the plan's order:
    //   w<expiry ms>,<replace>,<n>,<m>,  a state write: DEL first if replace is 1, HSET of the next n name/value pairs,
    //        HDEL of the next m names, PEXPIRE;
    //   x    delete the state (it is empty);
    //   a<n>, / r<n>,  SADD / SREM of the next n members to / from a held set.
    // Names and values are arguments of their own, handed to the commands by unpack: Redis's Lua hashes every byte of
    // every string it makes, so cutting them out of one large argument (string.sub) hashed and copied each byte twice.
    // Commands take at most 1,000 arguments each, well inside Lua's stack.
    private const string WriteScript = """
        local plan = ARGV[1]
        local p, a, k = 1, 1, 0
        local function num()
          local s, e = string.find(plan, '%d+', p)
          p = e + 2
          return string.sub(plan, s, e)
        end
        local function apply(command, key, count)
          local last = a + count
          while a < last do
            local upto = math.min(a + 1000, last)
            redis.call(command, key, unpack(ARGV, a + 1, upto))
            a = upto
          end
        end
        while p <= #plan do
          local op = string.sub(plan, p, p)
          p = p + 1
          k = k + 1
          local key = KEYS[k]
          if op == 'x' then
            redis.call('DEL', key)
          elseif op == 'w' then
            local expiry, replace, n, m = num(), num(), tonumber(num()), tonumber(num())
            if replace == '1' then redis.call('DEL', key) end
            apply('HSET', key, 2 * n)
            apply('HDEL', key, m)
            redis.call('PEXPIRE', key, expiry)
          else
            apply(op == 'a' and 'SADD' or 'SREM', key, tonumber(num()))
          end
        end
        return k
        """;

    // The longest number in a plan, with its ','.
    private const int PlanNumberBytes = 21;

    // The held set of each partition, named once (the name is built from the partition number).
    private readonly ConcurrentDictionary<int, RedisKey> heldKeys = new();
    // The plan array of the last write, reused by the next. Per process, not per store: it grows once to the largest
    // batch written (a release of thousands of states), and a store built again in the same process (a host restarted
    // in place, tests, the benchmark's measured host) starts with it grown.
    private static readonly WriteBuffer PlanBuffer = new();

    // Argument arrays of earlier writes (per process, like the plan's): a write of a large batch reuses one.
    private static readonly ArgumentArrays ArgumentBuffers = new();

    private readonly Prometheus.Counter.Child roundTrips = metrics.RedisRoundTrips.WithLabels(options.Analytic);

    private long fieldsSet;
    private long fieldsDeleted;

    /// <summary>State fields set since start (each changed partial, buffered event or header counts one).</summary>
    public long FieldsSet => Interlocked.Read(ref fieldsSet);

    /// <summary>State fields deleted since start (finished, pruned or evicted partials, released events).</summary>
    public long FieldsDeleted => Interlocked.Read(ref fieldsDeleted);

    /// <summary>
    /// One script call per <see cref="ReadChunk"/> keys (and per slot on a Redis Cluster), sent back to back: one round
    /// trip and one command per chunk rather than one per state.
    /// </summary>
    public async Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var found = new StoredState?[wanted.Count];
        if (found.Length == 0)
        {
            return found;
        }

        var db = redis.GetDatabase();
        var calls = new List<(int[]? At, Task<RedisResult> Result)>();
        foreach (var group in redis.GroupBySlot(wanted.Count, i => keys.State(wanted[i])).Values)
        {
            for (var start = 0; start < group.Count; start += ReadChunk)
            {
                var at = group.GetRange(start, Math.Min(ReadChunk, group.Count - start)).ToArray();
                var named = new RedisKey[at.Length];
                for (var k = 0; k < at.Length; k++)
                {
                    named[k] = keys.State(wanted[at[k]]);
                }

                calls.Add((at, db.ScriptEvaluateAsync(ReadScript, named)));
            }
        }

        await Task.WhenAll(calls.Select(c => c.Result)).ConfigureAwait(false);
        roundTrips.Inc();
        foreach (var (at, result) in calls)
        {
            var items = (RedisResult[])result.Result!;
            for (var k = 0; k < at!.Length; k++)
            {
                found[at[k]] = Stored(items[k]);
            }
        }

        return found;
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

    /// <summary>
    /// Per partition one script call (single key, so cluster-safe), all sent back to back: one round trip. Each call
    /// is atomic (UNLINK of an older set, SADD, PEXPIRE), so no failure leaves a set without its expiry; a partition
    /// with no members only loses its older set.
    /// </summary>
    public async Task WriteHandoffAsync(IReadOnlyDictionary<int, IReadOnlyList<string>> members, TimeSpan expiry)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            return;
        }

        var db = redis.GetDatabase();
        var expiryMs = (long)expiry.TotalMilliseconds;
        var sent = new List<Task>(members.Count);
        foreach (var (partition, list) in members)
        {
            var args = new RedisValue[list.Count + 1];
            args[0] = expiryMs;
            for (var i = 0; i < list.Count; i++)
            {
                args[i + 1] = list[i];
            }

            sent.Add(db.ScriptEvaluateAsync(WriteHandoffScript, [keys.Handoff(partition)], args));
        }

        await Task.WhenAll(sent).ConfigureAwait(false);
        roundTrips.Inc();
    }

    /// <summary>
    /// Per partition one script call: SRANDMEMBER of at most <paramref name="most"/> members, then UNLINK (the set's
    /// memory is freed off Redis's main thread), sent back to back: one round trip.
    /// </summary>
    public async Task<IReadOnlyList<(int Partition, string Member)>> TakeHandoffAsync(IReadOnlyCollection<int> partitions, int most)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentOutOfRangeException.ThrowIfNegative(most);
        var db = redis.GetDatabase();
        var reads = partitions.Select(p => (Partition: p, Members: db.ScriptEvaluateAsync(TakeHandoffScript, [keys.Handoff(p)], [most]))).ToArray();
        await Task.WhenAll(reads.Select(r => r.Members)).ConfigureAwait(false);
        roundTrips.Inc();
        var taken = new List<(int, string)>();
        foreach (var (partition, result) in reads)
        {
            if (result.Result.Resp2Type == ResultType.Array)
            {
                foreach (var member in (RedisValue[])result.Result!)
                {
                    taken.Add((partition, (string)member!));
                }
            }
        }

        return taken;
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
    /// Every held-set change and state write in one script call (atomic as a whole): the plan in a reused buffer, every
    /// name, value and member an argument that views its bytes where they lie (valid until the call completes; see
    /// <see cref="Vigil.Eql.Sequences.StateFieldChanges"/>), so a batch allocates a key array and a command (and its
    /// argument array only when no earlier write's fits, see <see cref="ArgumentArrays"/>), not a copy of its bytes or an
    /// object per field.
    /// </summary>
    private async Task WriteInOneCallAsync(IDatabase db, IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
    {
        var numbers = held.Count;
        var values = held.Count;
        for (var i = 0; i < states.Count; i++)
        {
            if (states[i].Changes is { } changes)
            {
                numbers += 4;
                values += (2 * changes.Set.Count) + changes.Removed.Count;
            }
        }

        var touched = new RedisKey[held.Count + states.Count];
        var arguments = ArgumentBuffers.Rent(1 + values);
        var plan = PlanBuffer.Rent(touched.Length + (PlanNumberBytes * numbers));
        var (p, v, k) = (0, 1, 0);
        foreach (var change in held)
        {
            touched[k++] = HeldKey(change.Partition);
            plan[p++] = change.Held ? (byte)'a' : (byte)'r';
            p += Number(plan.AsSpan(p), 1);
            arguments[v++] = change.Key.Member;
        }

        for (var i = 0; i < states.Count; i++)
        {
            var (key, changes, expiry, _) = states[i];
            touched[k++] = keys.State(key);
            if (changes is null)
            {
                plan[p++] = (byte)'x';
                continue;
            }

            var set = changes.Set;
            var removed = changes.Removed;
            plan[p++] = (byte)'w';
            p += Number(plan.AsSpan(p), (long)Math.Ceiling(expiry.TotalMilliseconds));
            p += Number(plan.AsSpan(p), changes.Replace ? 1 : 0);
            p += Number(plan.AsSpan(p), set.Count);
            p += Number(plan.AsSpan(p), removed.Count);
            for (var f = 0; f < set.Count; f++)
            {
                arguments[v++] = set[f].Key;
                arguments[v++] = set[f].Value;
            }

            for (var f = 0; f < removed.Count; f++)
            {
                arguments[v++] = removed[f];
            }

            Interlocked.Add(ref fieldsSet, set.Count);
            Interlocked.Add(ref fieldsDeleted, removed.Count);
        }

        arguments[0] = new ReadOnlyMemory<byte>(plan, 0, p);
        await db.ScriptEvaluateAsync(WriteScript, touched, arguments).ConfigureAwait(false);

        // Only once the call completed: a failed one may still sit in the connection's queue, reading the buffers.
        PlanBuffer.Return(plan);
        ArgumentBuffers.Return(arguments);
    }

    /// <summary>Argument arrays the writes of this process took and reused (tests).</summary>
    internal static (long Rented, long Reused) ArgumentArraysUsed => (ArgumentBuffers.Rented, ArgumentBuffers.Reused);

    private static int Number(Span<byte> into, long value)
    {
        if (!value.TryFormat(into, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A write plan outgrew its buffer.");
        }

        into[written] = (byte)',';
        return written + 1;
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
