using System.Runtime.InteropServices;
using Vigil.Baseline.Learning;

namespace Vigil.Baseline.Storage;

/// <summary>
/// The host views of the partitions this baseline owns, kept in memory after each write, so a hot host costs no
/// Redis read and no parse of its view per batch. A consumer group gives each partition to one member and a host's
/// events all land on one partition, so while a partition is owned no one else writes its hosts' views: the memory
/// copy is the one in Redis. Redis stays the source of truth: a partition's views leave memory when it is revoked,
/// lost or assigned, a batch that fails after the detector changed its views forgets them, and every write is still
/// compared-and-set against the watermark the view was read with, so a copy that went stale anyway (another writer,
/// a Redis that lost its keys) is refused and read again. Only views just written are kept, each until shortly before
/// its Redis copy expires: <see cref="BaselineOptions.HostStateRetention"/> plus the refresh margin past the write that
/// last refreshed that copy's expiry (<see cref="HostImageState.ExpiryRefreshedAt"/>; a write within the margin of it
/// leaves the expiry as it is, <see cref="ExpiryRefresh"/>).
/// At most <c>limit</c> views are held: over it, the tenth least recently used leave memory (not Redis), so a fleet
/// larger than planned costs reads, never unbounded memory. Safe for concurrent use (the consume loop's rebalance
/// callbacks and the API may call in from other threads).
/// </summary>
public sealed class OwnedHostViews(int limit, TimeSpan retention)
{
    // A view leaves memory this much before its Redis copy would expire, so memory never outlives Redis.
    private static readonly TimeSpan Slack = TimeSpan.FromMinutes(1);

    private readonly Dictionary<(string Tag, string HostId), Entry> live = [];
    private readonly long lifetimeMillis = (long)Math.Max(0, (retention + ExpiryRefresh.Margin(retention) - Slack).TotalMilliseconds);
    private long uses;
    private string? generation;

    /// <summary>Views held in memory.</summary>
    public int Count
    {
        get
        {
            lock (live)
            {
                return live.Count;
            }
        }
    }

    /// <summary>Views that left memory to keep it within its limit, since start.</summary>
    public long Shed { get; private set; }

    /// <summary>The view held for <paramref name="key"/>, when there is one and its Redis copy has not expired.</summary>
    public bool TryGet((string Tag, string HostId) key, out HostImageState state)
    {
        lock (live)
        {
            if (live.TryGetValue(key, out var entry) && entry.ExpiresAt > Environment.TickCount64)
            {
                entry.LastUse = ++uses;
                state = entry.State;
                return true;
            }
        }

        state = null!;
        return false;
    }

    /// <summary>
    /// Keeps views just written to Redis (<paramref name="written"/>: the view, its partition, and the tick count, in ms,
    /// taken before the write, which refreshed the Redis copy's expiry: it lives the retention and its margin from a
    /// moment after this). When memory is over its limit, the
    /// views just kept stay and the least recently used others leave.
    /// </summary>
    public void Keep(IEnumerable<(string Tag, string HostId, int Partition, HostImageState State)> written, long writtenAt)
    {
        if (limit == 0)
        {
            return;
        }

        lock (live)
        {
            var batch = ++uses;
            foreach (var (tag, hostId, partition, state) in written)
            {
                var key = (tag, hostId);
                if (live.TryGetValue(key, out var entry))
                {
                    entry.State = state;
                    entry.Partition = partition;
                    entry.ExpiresAt = writtenAt + lifetimeMillis;
                    entry.LastUse = batch;
                }
                else
                {
                    live[key] = new Entry(state, partition, writtenAt + lifetimeMillis, batch);
                }
            }

            if (live.Count > limit)
            {
                ShedLeastRecentlyUsed(batch);
            }
        }
    }

    /// <summary>
    /// As <see cref="Keep(IEnumerable{ValueTuple{string, string, int, HostImageState}}, long)"/>, for the views of one
    /// image's updates (no iterator per image): each is held until shortly before its Redis copy expires, counted from
    /// the write that last refreshed that expiry (<see cref="HostImageState.ExpiryRefreshedAt"/>, else
    /// <paramref name="writtenAt"/>).
    /// </summary>
    internal void Keep(List<HostUpdate> written, long writtenAt)
    {
        if (limit == 0)
        {
            return;
        }

        lock (live)
        {
            var batch = ++uses;
            foreach (var update in written)
            {
                var refreshedAt = update.State.ExpiryRefreshedAt != 0 ? update.State.ExpiryRefreshedAt : writtenAt;
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(live, (update.Image.Tag, update.HostId), out _);
                if (entry is null)
                {
                    entry = new Entry(update.State, update.NewWatermark.Partition, refreshedAt + lifetimeMillis, batch);
                }
                else
                {
                    entry.State = update.State;
                    entry.Partition = update.NewWatermark.Partition;
                    entry.ExpiresAt = refreshedAt + lifetimeMillis;
                    entry.LastUse = batch;
                }
            }

            if (live.Count > limit)
            {
                ShedLeastRecentlyUsed(batch);
            }
        }
    }

    /// <summary>
    /// Forgets every view when the baseline's memory generation is no longer the one they were kept in (Redis lost its
    /// data: <see cref="BaselineGeneration"/>): a view from before the loss would feed the detector what Redis no longer
    /// knows, and its write would be refused as if another writer had moved the host on.
    /// </summary>
    public void KeepGeneration(string? current)
    {
        if (current is null)
        {
            return;
        }

        lock (live)
        {
            if (generation is not null && generation != current)
            {
                live.Clear();
            }

            generation = current;
        }
    }

    /// <summary>Forgets views a failed or refused write may have left ahead of Redis: they are read again when next needed.</summary>
    public void Forget(IEnumerable<(string Tag, string HostId)> keys)
    {
        lock (live)
        {
            foreach (var key in keys)
            {
                live.Remove(key);
            }
        }
    }

    /// <summary>Drops the views of <paramref name="partitions"/> (revoked, lost, or newly assigned after someone else owned them).</summary>
    public void Drop(IReadOnlyCollection<int> partitions)
    {
        lock (live)
        {
            if (partitions.Count == 0 || live.Count == 0)
            {
                return;
            }

            var set = partitions as IReadOnlySet<int> ?? partitions.ToHashSet();
            foreach (var key in live.Where(e => set.Contains(e.Value.Partition)).Select(e => e.Key).ToList())
            {
                live.Remove(key);
            }
        }
    }

    // Down to 90% of the limit, so shedding runs once per tenth of the limit in new views; the batch just written stays.
    private void ShedLeastRecentlyUsed(long batch)
    {
        var excess = live.Count - (limit - (limit / 10));
        var victims = live.Where(e => e.Value.LastUse != batch).OrderBy(e => e.Value.LastUse).Take(excess).Select(e => e.Key).ToList();
        foreach (var key in victims)
        {
            live.Remove(key);
        }

        Shed += victims.Count;
    }

    private sealed class Entry(HostImageState state, int partition, long expiresAt, long lastUse)
    {
        public HostImageState State { get; set; } = state;

        public int Partition { get; set; } = partition;

        public long ExpiresAt { get; set; } = expiresAt;

        public long LastUse { get; set; } = lastUse;
    }
}
