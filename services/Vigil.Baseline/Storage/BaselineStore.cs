using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Detection;

namespace Vigil.Baseline.Storage;

/// <summary>
/// The baseline's batch I/O with Redis: one pipelined round trip reads the profiles and host views a batch touches,
/// one more applies its updates (one script per image), records alert explanations and updates the listing indexes.
/// </summary>
public sealed class BaselineStore(IConnectionMultiplexer redis, BaselineKeys keys, BaselineOptions options, BaselineMetrics metrics, ILogger? logger = null)
{
    /// <summary>Where the alert outbox's checkpoints live; saved with each commit that publishes (same round trip).</summary>
    public RedisAlertCheckpoints AlertCheckpoints { get; } = new(
        redis, keys.Names, BaselineServiceCollectionExtensions.Analytic, keys.FormerAlertCursor);

    // Hosts whose eviction was logged: each is logged once (the set is cleared when it gets large, so it stays bounded).
    private readonly HashSet<string> evictionLogged = new(StringComparer.Ordinal);
    private long roundTrips;
    private long hostViewsEvicted;
    private long profilesEvicted;

    /// <summary>Host views dropped to keep hosts within <see cref="BaselineOptions.MaxHostViewsPerHost"/> (also a metric).</summary>
    public long HostViewsEvicted => Interlocked.Read(ref hostViewsEvicted);

    /// <summary>Profiles found missing although seen within the retention (also a metric).</summary>
    public long ProfilesEvicted => Interlocked.Read(ref profilesEvicted);

    /// <summary>Pipelined round trips made so far (also exported as a metric).</summary>
    public long RoundTrips => Interlocked.Read(ref roundTrips);

    public async Task<BatchState> LoadAsync(IReadOnlyCollection<ProcessImage> images, IReadOnlyCollection<(ProcessImage Image, string HostId)> hosts)
    {
        var db = redis.GetDatabase();
        var profileReads = images.Select(i => (Image: i, Read: db.HashGetAllAsync(keys.Profile(i.Tag)), Seen: db.SortedSetScoreAsync(keys.SeenIndex, i.Tag))).ToList();
        var hostReads = hosts.Select(h => (h.Image, h.HostId, Read: db.HashGetAllAsync(keys.HostView(h.Image.Tag, h.HostId)))).ToList();
        await Task.WhenAll(profileReads.SelectMany(r => new Task[] { r.Read, r.Seen }).Concat(hostReads.Select(r => r.Read))).ConfigureAwait(false);
        CountRoundTrip();

        var profiles = profileReads.ToDictionary(r => r.Image.Tag, r => ProfileHashes.Profile(r.Image, r.Read.Result), StringComparer.Ordinal);
        await ReportEvictedProfilesAsync(db, profileReads.Where(r => !profiles[r.Image.Tag].Exists && r.Seen.Result is not null).Select(r => (r.Image.Tag, r.Image.Identity, r.Seen.Result!.Value)).ToList()).ConfigureAwait(false);
        var views = hostReads.ToDictionary(r => (r.Image.Tag, r.HostId), r => ProfileHashes.HostView(r.Read.Result, options.PersistenceWindow));
        return new BatchState(profiles, views);
    }

    /// <summary>
    /// Applies <paramref name="evaluation"/>'s updates and records its detections. Returns how many host views had
    /// changed since they were read (a replay already applied, or another consumer); their image's whole update
    /// was then refused, so the batch must be retried.
    /// </summary>
    public async Task<CommitResult> CommitAsync(
        BatchEvaluation evaluation,
        IReadOnlyDictionary<string, ProfileSnapshot> profiles,
        IReadOnlyCollection<int>? partitions = null,
        IReadOnlyDictionary<int, long>? alertCursor = null)
    {
        var db = redis.GetDatabase();
        var scripts = new List<Task<RedisResult>>();
        var writes = new List<Task>();
        if (evaluation.Detections.Count > 0 && partitions is { Count: > 0 } && alertCursor is { Count: > 0 })
        {
            // Past every alert published so far, saved with the state that remembers them (same round trip).
            AlertCheckpoints.Write(db, writes, partitions, alertCursor);
        }

        var viewCounts = new List<(string HostId, Task<long> Count)>();
        foreach (var host in evaluation.Updates.GroupBy(u => u.HostId))
        {
            // Advisory, outside the scripts (another slot): which images this host has views of, by last use.
            var index = keys.HostViews(host.Key);
            writes.Add(db.SortedSetAddAsync(index, host.Select(u => new SortedSetEntry(u.Image.Tag, Millis(u.State.LastSeen))).ToArray()));
            writes.Add(db.KeyExpireAsync(index, options.HostStateRetention));
            var count = db.SortedSetLengthAsync(index);
            viewCounts.Add((host.Key, count));
            writes.Add(count);
        }

        foreach (var image in evaluation.Updates.GroupBy(u => u.Image.Tag))
        {
            var updates = image.ToList();
            scripts.Add(db.ScriptEvaluateAsync(ProfileUpdateScript.Text, ScriptKeys(updates), ScriptArguments(updates)));
            IndexUpdates(db, writes, profiles[image.Key], updates);
        }

        foreach (var detection in evaluation.Detections)
        {
            writes.Add(db.StringSetAsync(keys.Explanation(detection.Alert.Id), detection.Explanation.ToByteArray(), options.ExplanationRetention));
            writes.Add(db.SortedSetIncrementAsync(keys.AnomalousIndex, detection.Image.Tag, 1));
        }

        if (scripts.Count == 0 && writes.Count == 0)
        {
            return new CommitResult(0, 0);
        }

        await Task.WhenAll(scripts.Cast<Task>().Concat(writes)).ConfigureAwait(false);
        CountRoundTrip();
        var conflicts = 0;
        var matured = 0;
        foreach (var script in scripts)
        {
            var result = (RedisResult[])script.Result!;
            matured += (int)result[0] == 1 ? 1 : 0;
            conflicts += result.Length - 1;
        }

        foreach (var (hostId, count) in viewCounts.Where(c => c.Count.Result > options.MaxHostViewsPerHost))
        {
            await EvictHostViewsAsync(db, hostId, count.Result).ConfigureAwait(false);
        }

        return new CommitResult(conflicts, matured);
    }

    /// <summary>
    /// Checks that the profiles of up to <paramref name="count"/> images of the listing index, from rank
    /// <paramref name="start"/> on, still exist, and reports those missing like <see cref="LoadAsync"/> does, so a
    /// profile that vanished is reported even if its image never comes back. Returns the rank to continue from
    /// (0 once the index was walked to its end).
    /// </summary>
    public async Task<long> SweepProfilesAsync(long start, int count)
    {
        var db = redis.GetDatabase();
        var entries = await db.SortedSetRangeByRankWithScoresAsync(keys.SeenIndex, start, start + count - 1).ConfigureAwait(false);
        if (entries.Length == 0)
        {
            return 0;
        }

        var missing = await MissingProfilesAsync(db, entries.Select(e => (Tag: e.Element.ToString(), e.Score)).ToList()).ConfigureAwait(false);
        if (missing.Count > 0)
        {
            // On a Redis Cluster a commit's index entry (another slot) can land a moment before its image's profile:
            // only what is still missing a little later vanished.
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            missing = await MissingProfilesAsync(db, missing).ConfigureAwait(false);
        }

        await ReportEvictedProfilesAsync(db, missing.Select(m => (m.Tag, $"image tag {m.Tag}", m.Score)).ToList()).ConfigureAwait(false);
        // Entries removed as reported shift later ranks down; continue from where the walk now stands.
        return entries.Length < count ? 0 : start + entries.Length - missing.Count;
    }

    private async Task<List<(string Tag, double Score)>> MissingProfilesAsync(IDatabase db, List<(string Tag, double Score)> entries)
    {
        var checks = entries.Select(e => (Entry: e, Exists: db.KeyExistsAsync(keys.Profile(e.Tag)))).ToList();
        await Task.WhenAll(checks.Select(c => c.Exists)).ConfigureAwait(false);
        return checks.Where(c => !c.Exists.Result).Select(c => c.Entry).ToList();
    }

    /// <summary>
    /// A profile missing although the listing index saw its image within the retention was evicted (Redis under
    /// memory pressure with an evicting policy) or deleted, while the generation marker survived: the image learns
    /// again from immature, and that is said once per image (its index entry goes, and comes back when it is
    /// learned again).
    /// </summary>
    private async Task ReportEvictedProfilesAsync(IDatabase db, List<(string Tag, string Identity, double SeenMillis)> missing)
    {
        var retained = DateTimeOffset.UtcNow.Add(-options.Retention).ToUnixTimeMilliseconds();
        var evicted = missing.Where(m => m.SeenMillis > retained).ToList();
        if (evicted.Count == 0)
        {
            return;
        }

        // Only this call's removal reports an image: a sweep and a batch finding the same profile count it once.
        var removals = evicted.Select(e => (e.Identity, Removed: db.SortedSetRemoveAsync(keys.SeenIndex, e.Tag))).ToList();
        await Task.WhenAll(removals.Select(r => r.Removed)).ConfigureAwait(false);
        var reported = removals.Where(r => r.Removed.Result).Select(r => r.Identity).ToList();
        if (reported.Count == 0)
        {
            return;
        }

        evicted = evicted.Where(e => reported.Contains(e.Identity)).ToList();
        Interlocked.Add(ref profilesEvicted, evicted.Count);
        metrics.ProfilesEvicted.Inc(evicted.Count);
        logger?.LogError(
            "{Count} baseline profile(s) VANISHED from Redis while the memory marker survived (evicted or deleted), e.g. {Image}: they learn again from immature, so no new-protocol alerts for them until they mature. Run the baseline's Redis with maxmemory-policy noeviction. Counted in vigil_baseline_profiles_evicted_total.",
            evicted.Count, evicted[0].Identity);
    }

    /// <summary>Drops a host's least recently used views down to 90% of the cap, so eviction runs rarely.</summary>
    private async Task EvictHostViewsAsync(IDatabase db, string hostId, long count)
    {
        var index = keys.HostViews(hostId);
        var keep = Math.Max(1, options.MaxHostViewsPerHost * 9 / 10);
        var victims = await db.SortedSetRangeByRankAsync(index, 0, count - keep - 1).ConfigureAwait(false);
        if (victims.Length == 0)
        {
            return;
        }

        // One DEL per view: each lives on its image's slot of a Redis Cluster.
        await Task.WhenAll(victims
            .Select(tag => (Task)db.KeyDeleteAsync(keys.HostView(tag.ToString(), hostId)))
            .Append(db.SortedSetRemoveAsync(index, victims))).ConfigureAwait(false);
        Interlocked.Add(ref hostViewsEvicted, victims.Length);
        metrics.HostViewsEvicted.Inc(victims.Length);
        bool first;
        lock (evictionLogged)
        {
            if (evictionLogged.Count >= 10_000)
            {
                evictionLogged.Clear();
            }

            first = evictionLogged.Add(hostId);
        }

        if (first)
        {
            logger?.LogWarning(
                "Host {Host} has views of {Count} process images, over Baseline:MaxHostViewsPerHost ({Cap}): evicted the {Evicted} least recently used (their volume history and suppressions start over). Logged once per host; counted in vigil_baseline_host_views_evicted_total.",
                hostId, count, options.MaxHostViewsPerHost, victims.Length);
        }
    }

    private RedisKey[] ScriptKeys(List<HostUpdate> updates)
    {
        var tag = updates[0].Image.Tag;
        var scriptKeys = new RedisKey[3 + updates.Count];
        scriptKeys[0] = keys.Profile(tag);
        scriptKeys[1] = keys.Destinations(tag);
        scriptKeys[2] = keys.Hosts(tag);
        for (var i = 0; i < updates.Count; i++)
        {
            scriptKeys[3 + i] = keys.HostView(tag, updates[i].HostId);
        }

        return scriptKeys;
    }

    private RedisValue[] ScriptArguments(List<HostUpdate> updates)
    {
        var image = updates[0].Image;
        var total = new FleetContribution();
        foreach (var update in updates)
        {
            total.Add(update.Contribution);
        }

        var values = new List<RedisValue>(ProfileUpdateScript.HeaderArguments + (updates.Count * 4) + 30 + (total.Protocols.Count * 3) + total.Destinations.Count)
        {
            (long)options.Retention.TotalMilliseconds,
            (long)options.HostStateRetention.TotalMilliseconds,
            options.MaxProtocolsPerImage,
            options.MinObservations,
            options.MinAge.Ticks * 100,
            image.Identity,
            ProcessImage.KindText(image.Kind),
            updates.Count,
        };
        foreach (var update in updates)
        {
            values.Add(update.ExpectedWatermark);
            values.Add(update.NewWatermark.ToString());
            values.Add(update.State.ToDocumentUtf8());
        }

        values.AddRange(updates.Select(u => (RedisValue)u.HostId));
        values.Add(total.Observations);
        values.Add(total.Connections);
        values.Add(total.Alerts);
        values.Add(total.HasSighting ? Text(total.FirstSeen) : string.Empty);
        values.Add(total.HasSighting ? Text(total.LastSeen) : string.Empty);
        values.Add(total.Protocols.Count);
        foreach (var (signature, count) in total.Protocols)
        {
            values.Add(signature);
            values.Add(count.Count);
            values.Add(Text(count.FirstSeen));
        }

        foreach (var statistics in new[] { total.SentPerConnection, total.ReceivedPerConnection, total.SentPerBucket, total.ReceivedPerBucket })
        {
            values.Add(statistics.Count);
            values.Add(statistics.Mean.ToString("R", CultureInfo.InvariantCulture));
            values.Add(statistics.M2.ToString("R", CultureInfo.InvariantCulture));
        }

        values.Add(total.Destinations.Count);
        values.AddRange(total.Destinations.Select(d => (RedisValue)d));
        return [.. values];
    }

    /// <summary>Listing indexes live on their own slot, outside the script; they are advisory, so predicted changes are good enough.</summary>
    private void IndexUpdates(IDatabase db, List<Task> writes, ProfileSnapshot profile, List<HostUpdate> updates)
    {
        var sighted = updates.Select(u => u.Contribution).Where(c => c.HasSighting).ToList();
        if (sighted.Count == 0)
        {
            return;
        }

        var last = sighted.Max(c => c.LastSeen);
        var first = Math.Min(sighted.Min(c => c.FirstSeen), profile.FirstSeen > 0 ? profile.FirstSeen : long.MaxValue);
        writes.Add(db.SortedSetAddAsync(keys.SeenIndex, profile.Image.Tag, Millis(last), SortedSetWhen.GreaterThan));
        if (!profile.Exists && profile.Image.SigningIdAlias is { } alias)
        {
            writes.Add(db.HashSetAsync(keys.SigningIdAliases, alias, profile.Image.Identity));
        }

        var learnsProtocol = !profile.IsSaturated(options) && updates.Any(u => u.Contribution.Protocols.Keys.Any(p => !profile.Protocols.ContainsKey(p)));
        var matures = !profile.IsMature(options)
            && profile.Observations + updates.Sum(u => u.Contribution.Observations) >= options.MinObservations
            && last - first >= options.MinAge.Ticks * 100;
        if (learnsProtocol || matures)
        {
            writes.Add(db.SortedSetAddAsync(keys.ChangedIndex, profile.Image.Tag, Millis(last), SortedSetWhen.GreaterThan));
        }
    }

    private void CountRoundTrip()
    {
        Interlocked.Increment(ref roundTrips);
        metrics.RedisRoundTrips.Inc();
    }

    private static double Millis(long nanos) => nanos / 1_000_000;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
