using System.Globalization;
using StackExchange.Redis;
using Vigil.Redis;

namespace Vigil.Detection;

/// <summary>
/// The <see cref="IAlertCheckpoints"/> of every service that publishes alerts through an <see cref="AlertOutbox"/>
/// (the correlators and the baseline): per telemetry partition, a hash of alert-topic partition → offset at
/// <c>&lt;prefix&gt;:fleet:{alert-cursor-&lt;analytic&gt;}:alert-cursor:&lt;analytic&gt;:&lt;partition&gt;</c>, readable with
/// <c>redis-cli HGETALL</c>. A service saves them with its state in its own pipelined round trip
/// (<see cref="Write"/>), so the checkpoint is never ahead of what it remembers.
/// </summary>
public sealed class RedisAlertCheckpoints : IAlertCheckpoints
{
    private readonly IConnectionMultiplexer redis;
    private readonly RedisKeys keys;
    private readonly string analytic;
    private readonly Func<int, RedisKey>? formerKey;
    private readonly Action? roundTrip;

    /// <param name="redis">The service's Redis.</param>
    /// <param name="keys">The service's key names (prefix).</param>
    /// <param name="analytic">Whose checkpoints: the analytic publishing the alerts.</param>
    /// <param name="formerKey">
    /// Where an earlier release kept a partition's checkpoint, if elsewhere: read when the current key is absent and
    /// moved to it, so an upgrade loses no recovery range.
    /// </param>
    /// <param name="roundTrip">Called once per Redis round trip made here (a service's round-trip metric).</param>
    public RedisAlertCheckpoints(IConnectionMultiplexer redis, RedisKeys keys, string analytic, Func<int, RedisKey>? formerKey = null, Action? roundTrip = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentException.ThrowIfNullOrWhiteSpace(analytic);
        this.redis = redis;
        this.keys = keys;
        this.analytic = analytic;
        this.formerKey = formerKey;
        this.roundTrip = roundTrip;
    }

    /// <summary>The checkpoint of one telemetry partition (all of an analytic's share one hash tag, so one slot).</summary>
    public RedisKey Key(int partition) =>
        keys.Fleet($"alert-cursor-{analytic}", "alert-cursor", analytic, partition.ToString(CultureInfo.InvariantCulture));

    public async Task<IReadOnlyDictionary<int, IReadOnlyDictionary<int, long>>> LoadCheckpointsAsync(IReadOnlyCollection<int> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var db = redis.GetDatabase();
        var found = await ReadAsync(db, partitions, Key).ConfigureAwait(false);
        var missing = partitions.Where(p => !found.ContainsKey(p)).ToArray();
        if (formerKey is null || missing.Length == 0)
        {
            return found;
        }

        var former = await ReadAsync(db, missing, formerKey).ConfigureAwait(false);
        if (former.Count > 0)
        {
            var moves = new List<Task>();
            foreach (var (partition, cursor) in former)
            {
                moves.Add(db.HashSetAsync(Key(partition), Fields(cursor)));
                moves.Add(db.KeyDeleteAsync(formerKey(partition)));
                found[partition] = cursor;
            }

            await Task.WhenAll(moves).ConfigureAwait(false);
            roundTrip?.Invoke();
        }

        return found;
    }

    /// <summary>Checkpoints partitions that have none yet, before anything is published for them.</summary>
    public async Task SaveCheckpointsAsync(IReadOnlyCollection<int> partitions, IReadOnlyDictionary<int, long> alertCursor)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(alertCursor);
        var writes = new List<Task>();
        Write(redis.GetDatabase(), writes, partitions, alertCursor);
        if (writes.Count == 0)
        {
            return;
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        roundTrip?.Invoke();
    }

    /// <summary>
    /// Adds the writes checkpointing <paramref name="partitions"/> at <paramref name="alertCursor"/> to a round trip
    /// the caller awaits with its own state (nothing when either is empty).
    /// </summary>
    public void Write(IDatabaseAsync db, ICollection<Task> writes, IReadOnlyCollection<int> partitions, IReadOnlyDictionary<int, long> alertCursor)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(alertCursor);
        if (partitions.Count == 0 || alertCursor.Count == 0)
        {
            return;
        }

        var fields = Fields(alertCursor);
        foreach (var partition in partitions)
        {
            writes.Add(db.HashSetAsync(Key(partition), fields));
        }
    }

    private static HashEntry[] Fields(IReadOnlyDictionary<int, long> cursor) =>
        cursor.Select(c => new HashEntry(c.Key, c.Value)).ToArray();

    private async Task<Dictionary<int, IReadOnlyDictionary<int, long>>> ReadAsync(IDatabase db, IReadOnlyCollection<int> partitions, Func<int, RedisKey> key)
    {
        var reads = partitions.Select(p => (Partition: p, Entries: db.HashGetAllAsync(key(p)))).ToArray();
        await Task.WhenAll(reads.Select(r => r.Entries)).ConfigureAwait(false);
        roundTrip?.Invoke();
        return reads
            .Where(r => r.Entries.Result.Length > 0)
            .ToDictionary(
                r => r.Partition,
                r => (IReadOnlyDictionary<int, long>)r.Entries.Result.ToDictionary(e => (int)e.Name, e => (long)e.Value));
    }
}
