using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Detection;
using Vigil.Redis;

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

    // The commit's working collections, reused batch after batch (null while a commit has them; an overlapping commit,
    // which the handler never makes, gets its own).
    private CommitScratch? idleCommit;

    // The argument arrays of a batch's write calls, reused by later batches once the calls that sent them completed.
    private readonly ArgumentArrays argumentArrays = new();
    private long hostViewsEvicted;
    private long profilesEvicted;

    // How long after this process refreshed a host view's expiry a write leaves it alone (ExpiryRefresh), and the TTLs a
    // refresh sets.
    private readonly long viewRefreshMargin = ExpiryRefresh.MarginMillis(options.HostStateRetention);
    private readonly long viewTtl = ExpiryRefresh.RefreshedTtlMillis(options.HostStateRetention);
    private readonly long profileTtl = ExpiryRefresh.RefreshedTtlMillis(options.Retention);

    /// <summary>Host views dropped to keep hosts within <see cref="BaselineOptions.MaxHostViewsPerHost"/> (also a metric).</summary>
    public long HostViewsEvicted => Interlocked.Read(ref hostViewsEvicted);

    /// <summary>Profiles found missing although seen within the retention (also a metric).</summary>
    public long ProfilesEvicted => Interlocked.Read(ref profilesEvicted);

    /// <summary>Script argument arrays this store's writes took and how many of them were reused (tests, benchmarks).</summary>
    internal (long Rented, long Reused) ArgumentArraysUsed => (argumentArrays.Rented, argumentArrays.Reused);

    /// <summary>Pipelined round trips made so far (also exported as a metric).</summary>
    public long RoundTrips => Interlocked.Read(ref roundTrips);

    /// <summary>
    /// The host views of the owned partitions kept in memory after each write (<see cref="OwnedHostViews"/>): the
    /// handler drops a partition's views when it is revoked, lost or assigned.
    /// </summary>
    public OwnedHostViews Views { get; } = new(options.LiveHostViewLimit, options.HostStateRetention);

    /// <summary>
    /// Profiles kept between batches with their version (<see cref="HeldProfiles"/>): each batch still asks Redis, in
    /// its one read, whether each touched profile is at the held version, and reads it whole only when not.
    /// </summary>
    public HeldProfiles Profiles { get; } = new(options.HeldProfileLimit);

    /// <summary>
    /// The profiles of <paramref name="images"/> as Redis holds them now (other consumers and analysts change them: a
    /// profile held in memory is checked against its version, and read whole only when it changed) and the views of
    /// <paramref name="hosts"/> (from memory where held, else from Redis), in one round trip.
    /// </summary>
    public Task<BatchState> LoadAsync(IReadOnlyCollection<ProcessImage> images, IReadOnlyCollection<(ProcessImage Image, string HostId)> hosts) =>
        LoadAsync(images, hosts, new Dictionary<string, ProfileSnapshot>(images.Count, StringComparer.Ordinal), new Dictionary<(string Tag, string HostId), HostImageState>(hosts.Count));

    /// <summary>
    /// As <see cref="LoadAsync(IReadOnlyCollection{ProcessImage}, IReadOnlyCollection{ValueTuple{ProcessImage, string}})"/>,
    /// filling the (empty) tables the caller reuses across batches. Script calls of up to
    /// <see cref="ProfileUpdateScript.ImagesPerCall"/> images each (per Redis slot) read each image's profile (unless still
    /// at the held version) and every view of it the batch needs that is not held in memory.
    /// </summary>
    internal async Task<BatchState> LoadAsync(
        IReadOnlyCollection<ProcessImage> images,
        IReadOnlyCollection<(ProcessImage Image, string HostId)> hosts,
        Dictionary<string, ProfileSnapshot> profiles,
        Dictionary<(string Tag, string HostId), HostImageState> views)
    {
        var db = redis.GetDatabase();
        var reads = new List<ImageRead>(images.Count);
        var readOf = new Dictionary<string, int>(images.Count, StringComparer.Ordinal);
        foreach (var image in images)
        {
            AddRead(image);
        }

        // The views not held in memory, each read in its image's call: counted per image first, so each call's keys are
        // one exactly sized array.
        List<(int Read, int Position, (string Tag, string HostId) Key, string StorageKey)>? missing = null;
        foreach (var (image, hostId) in hosts)
        {
            var key = (image.Tag, hostId);
            if (Views.TryGet(key, out var held))
            {
                views[key] = held;
                continue;
            }

            if (!readOf.TryGetValue(image.Tag, out var read))
            {
                read = AddRead(image);
            }

            // Built once: the view keeps it for its writes (ScriptKeys).
            var storageKey = keys.HostView(image.Tag, hostId).ToString();
            var entry = reads[read];
            entry.Views++;
            reads[read] = entry;
            (missing ??= new(hosts.Count)).Add((read, entry.Views, key, storageKey));
        }

        // Calls per Redis slot of the images' profiles (on a standalone Redis every image is in one slot group), each
        // of a bounded size (CallsOf): each image's keys (its profile, then its views to read) one after another, with
        // its held version and view count.
        var groups = redis.GroupBySlot(reads.Count, i => keys.Profile(reads[i].Image.Tag));
        var keysOf = new RedisKey[reads.Count][];
        var keyAt = new int[reads.Count];
        var requests = new List<(List<int> Images, RedisKey[] Keys, RedisValue[] Arguments)>(groups.Count);
        foreach (var group in groups.Values.SelectMany(g => CallsOf(g, i => 3 + reads[i].Views)))
        {
            var length = 0;
            foreach (var i in group)
            {
                keyAt[i] = length;
                length += 1 + reads[i].Views;
            }

            var callKeys = new RedisKey[length];
            var arguments = new RedisValue[2 * group.Count];
            for (var g = 0; g < group.Count; g++)
            {
                var i = group[g];
                keysOf[i] = callKeys;
                callKeys[keyAt[i]] = keys.Profile(reads[i].Image.Tag);
                arguments[2 * g] = reads[i].HeldVersion;
                arguments[(2 * g) + 1] = reads[i].Views;
            }

            requests.Add((group, callKeys, arguments));
        }

        foreach (var (read, position, _, storageKey) in missing ?? [])
        {
            keysOf[read][keyAt[read] + position] = storageKey;
        }

        var calls = new (List<int> Images, Task<RedisResult> Reply)[requests.Count];
        for (var c = 0; c < calls.Length; c++)
        {
            calls[c] = (requests[c].Images, db.ScriptEvaluateAsync(ProfileUpdateScript.ReadManyIfChanged, requests[c].Keys, requests[c].Arguments));
        }

        await Task.WhenAll(Array.ConvertAll(calls, c => c.Reply)).ConfigureAwait(false);
        CountRoundTrip();

        List<ProcessImage>? absent = null;
        var replies = new RedisResult[reads.Count][];
        foreach (var (group, reply) in calls)
        {
            var items = (RedisResult[])reply.Result!;
            for (var g = 0; g < group.Count; g++)
            {
                replies[group[g]] = (RedisResult[])items[g]!;
            }
        }

        for (var i = 0; i < reads.Count; i++)
        {
            var (image, held, _, _) = reads[i];
            var items = replies[i];
            var reply = items[0];
            if (held is not null && reply.Resp2Type == ResultType.Integer)
            {
                // Still at the held version: nobody changed the profile since this baseline read or wrote it.
                profiles[image.Tag] = held;
                continue;
            }

            var entries = Entries(reply);
            var profile = ProfileHashes.Profile(image, entries);
            profiles[image.Tag] = profile;
            if (profile.Exists && ProfileHashes.VersionOf(entries) is ({ } version, var kinds))
            {
                Profiles.Keep(image.Tag, profile, version, kinds);
            }
            else
            {
                Profiles.Forget(image.Tag);
            }

            if (!profile.Exists)
            {
                (absent ??= []).Add(image);
            }
        }

        if (absent is not null)
        {
            // A new image, or one whose profile vanished: the listing index tells (one more round trip, only then).
            var seen = absent.Select(i => (Image: i, Score: db.SortedSetScoreAsync(keys.SeenIndex, i.Tag))).ToList();
            await Task.WhenAll(seen.Select(s => s.Score)).ConfigureAwait(false);
            CountRoundTrip();
            var vanished = seen.Where(s => s.Score.Result is not null).Select(s => (s.Image.Tag, s.Image.Identity, s.Score.Result!.Value)).ToList();
            if (vanished.Count > 0)
            {
                await ReportEvictedProfilesAsync(db, vanished).ConfigureAwait(false);
            }
        }

        foreach (var (read, position, key, storageKey) in missing ?? [])
        {
            var items = replies[read];
            var stored = (RedisValue)items[(2 * position) - 1];
            var document = (RedisValue)items[2 * position];
            // '' is an absent field (never a stored value: a view's encoding is never empty, and an empty watermark
            // reads as none either way).
            ReadOnlyMemory<byte>? bytes = document.IsNullOrEmpty ? (ReadOnlyMemory<byte>?)null : (ReadOnlyMemory<byte>)document;
            var view = HostImageState.ParseUtf8(stored.IsNullOrEmpty ? null : (string?)stored, bytes, options.PersistenceWindow);
            view.StorageKey = storageKey;
            views[key] = view;
        }

        return new BatchState(profiles, views);

        int AddRead(ProcessImage image)
        {
            ProfileSnapshot? held = null;
            var heldVersion = RedisValue.EmptyString;
            if (Profiles.TryGet(image.Tag, out var copy, out var version) && copy.Image == image)
            {
                held = copy;
                heldVersion = version;
            }

            readOf[image.Tag] = reads.Count;
            reads.Add(new ImageRead(image, held, heldVersion, 0));
            return reads.Count - 1;
        }
    }

    /// <summary>One image's read in a batch: its held profile copy and version, and how many of its views are read with it.</summary>
    private record struct ImageRead(ProcessImage Image, ProfileSnapshot? Held, RedisValue HeldVersion, int Views);

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
        var scratch = Interlocked.Exchange(ref idleCommit, null) ?? new CommitScratch(argumentArrays);
        try
        {
            return await CommitAsync(db, evaluation, profiles, partitions, alertCursor, scratch).ConfigureAwait(false);
        }
        finally
        {
            scratch.Clear();
            idleCommit = scratch;
        }
    }

    private async Task<CommitResult> CommitAsync(
        IDatabase db,
        BatchEvaluation evaluation,
        IReadOnlyDictionary<string, ProfileSnapshot> profiles,
        IReadOnlyCollection<int>? partitions,
        IReadOnlyDictionary<int, long>? alertCursor,
        CommitScratch scratch)
    {
        var writes = scratch.Writes;

        // Taken before the write: each view whose expiry it refreshes lives the retention and its margin from a moment
        // after this; a view is due a refresh when this process last refreshed it the margin or more before this.
        var writtenAt = Environment.TickCount64;
        if (evaluation.Detections.Count > 0 && partitions is { Count: > 0 } && alertCursor is { Count: > 0 })
        {
            // Past every alert published so far, saved with the state that remembers them (same round trip).
            AlertCheckpoints.Write(db, writes, partitions, alertCursor);
        }

        // Advisory, outside the scripts (another slot): which images each host has views of, by last use. Hosts in
        // order of first sight, each host's views in update order; one script call per Redis slot (one per batch on
        // a standalone Redis), filled straight into its argument array: no grouping, list or command per host.
        var updatesList = evaluation.Updates;
        var hostSlots = scratch.HostSlots;
        var hostOrder = scratch.HostOrder;
        var viewsOf = scratch.ViewsOf;
        foreach (var update in updatesList)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(hostSlots, update.HostId, out var known);
            if (known)
            {
                viewsOf[slot]++;
            }
            else
            {
                slot = viewsOf.Count;
                hostOrder.Add(update.HostId);
                viewsOf.Add(1);
            }
        }

        var indexCalls = IndexCalls(hostOrder, viewsOf, scratch);
        foreach (var update in updatesList)
        {
            var host = hostSlots[update.HostId];
            var (arguments, at) = (indexCalls.ArgumentsOf[host], indexCalls.NextOf[host]);
            arguments[at] = (long)Millis(update.State.LastSeen);
            arguments[at + 1] = update.Image.Tag;
            indexCalls.NextOf[host] = at + 2;
            if (ViewExpiryDue(update.State, writtenAt))
            {
                // The host's index is refreshed with any of its views (HostViewIndexScript).
                arguments[indexCalls.RefreshAt[host]] = 1;
            }
        }

        var viewCounts = new (int[] Hosts, Task<RedisResult> Sizes)[indexCalls.Calls.Count];
        for (var c = 0; c < viewCounts.Length; c++)
        {
            var (hosts, indexKeys, arguments) = indexCalls.Calls[c];
            var sizes = db.ScriptEvaluateAsync(HostViewIndexScript.Text, indexKeys, arguments);
            viewCounts[c] = (hosts, sizes);
            writes.Add(sizes);
        }

        // The updates by image, images in order of first sight and each image's updates in batch order (what GroupBy
        // gave), into lists the next batch reuses.
        var byImage = scratch.ByImage;
        var scripted = scratch.Scripted;
        foreach (var update in updatesList)
        {
            ref var image = ref CollectionsMarshal.GetValueRefOrAddDefault(byImage, update.Image.Tag, out var known);
            if (!known)
            {
                image = scripted.Count;
                scripted.Add(scratch.RentUpdates());
            }

            scripted[image].Add(update);
        }

        // Update calls per Redis slot of the images' profiles (on a standalone Redis every image is in one slot group),
        // each of a bounded size (UpdateCalls), each image applied (or refused) on its own inside it, as by a call of
        // its own.
        var updateGroups = redis.GroupBySlot(scripted.Count, i => keys.Profile(scripted[i][0].Image.Tag));
        var scripts = new List<(List<int> Images, Task<RedisResult> Reply)>(updateGroups.Count);
        var calls = new List<(List<int> Images, RedisKey[] Keys, RedisValue[] Arguments)>(updateGroups.Count);
        foreach (var group in updateGroups.Values)
        {
            calls.AddRange(UpdateCalls(scripted, group, scratch, writtenAt));
        }

        // The views' bytes become arguments only now: the buffer they are written into grows (moves) while calls are built.
        scratch.AssignSlices();
        foreach (var (images, callKeys, arguments) in calls)
        {
            scripts.Add((images, db.ScriptEvaluateAsync(ProfileUpdateScript.UpdateMany, callKeys, arguments)));
            writes.Add(scripts[^1].Reply);
        }

        var seen = scratch.Seen;
        var changed = scratch.Changed;
        foreach (var updates in scripted)
        {
            // The detector sums an image's hosts into one contribution, which each of their updates carries.
            IndexUpdates(db, writes, profiles[updates[0].Image.Tag], updates[0].Contribution, seen, changed);
        }

        // One ZADD per index per batch (GT: an entry only moves forward), not one per image.
        if (seen.Count > 0)
        {
            writes.Add(db.SortedSetAddAsync(keys.SeenIndex, [.. seen], SortedSetWhen.GreaterThan));
        }

        if (changed.Count > 0)
        {
            writes.Add(db.SortedSetAddAsync(keys.ChangedIndex, [.. changed], SortedSetWhen.GreaterThan));
        }

        foreach (var detection in evaluation.Detections)
        {
            writes.Add(db.StringSetAsync(keys.Explanation(detection.Alert.Id), detection.Explanation.ToByteArray(), options.ExplanationRetention));
            writes.Add(db.SortedSetIncrementAsync(keys.AnomalousIndex, detection.Image.Tag, 1));
        }

        if (writes.Count == 0)
        {
            return new CommitResult(0, 0);
        }

        try
        {
            await Task.WhenAll(CollectionsMarshal.AsSpan(writes)).ConfigureAwait(false);
            scratch.WritesCompleted();
        }
        catch
        {
            // Some scripts may have applied and some not: memory forgets them all, and the retry reads Redis.
            Views.Forget(evaluation.Updates.Select(u => (u.Image.Tag, u.HostId)));
            throw;
        }

        CountRoundTrip();
        var conflicts = 0;
        var matured = 0;
        var results = new RedisResult[scripted.Count][];
        foreach (var (group, reply) in scripts)
        {
            var replies = (RedisResult[])reply.Result!;
            for (var g = 0; g < group.Count; g++)
            {
                results[group[g]] = (RedisResult[])replies[g]!;
            }
        }

        for (var i = 0; i < scripted.Count; i++)
        {
            var result = results[i];
            var updates = scripted[i];
            var total = updates[0].Contribution;
            if ((int)result[0] == -1)
            {
                // Refused whole: these views are ahead of Redis in memory (or another writer moved Redis on). The
                // profile was not written, so a copy held of it stays at its version.
                conflicts += result.Length - 1;
                Views.Forget(updates.Select(u => (u.Image.Tag, u.HostId)));
                continue;
            }

            var maturedNow = (int)result[0] == 1;
            matured += maturedNow ? 1 : 0;
            var tag = updates[0].Image.Tag;
            long? before = HashFields.TryLong((RedisValue)result[1], out var found) ? found : null;
            Profiles.Applied(tag, profiles[tag], total, before, (long)result[2], maturedNow, options);

            foreach (var update in updates)
            {
                if (ViewExpiryDue(update.State, writtenAt))
                {
                    // The script refreshed this view's expiry (it was sent as due).
                    update.State.ExpiryRefreshedAt = writtenAt;
                }

                update.State.Stored(update.NewWatermark);
            }

            Views.Keep(updates, writtenAt);
        }

        var indexSizes = scratch.IndexSizes(hostOrder.Count);
        foreach (var (hosts, reply) in viewCounts)
        {
            var sizes = (RedisResult[])reply.Result!;
            for (var k = 0; k < hosts.Length; k++)
            {
                indexSizes[hosts[k]] = (long)sizes[k];
            }
        }

        // A size of 0 is an index the batch added nothing to (the script did not count it): it did not grow.
        for (var host = 0; host < hostOrder.Count; host++)
        {
            if (indexSizes[host] > options.MaxHostViewsPerHost)
            {
                await EvictHostViewsAsync(db, hostOrder[host], indexSizes[host]).ConfigureAwait(false);
            }
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
        logger?.LogError(
            "{Count} baseline profile(s) VANISHED from Redis while the memory marker survived (evicted or deleted), e.g. {Image}: they learn again from immature, so no new-protocol alerts for them until they mature. Run the baseline's Redis with maxmemory-policy noeviction. Counted in vigil_baseline_profiles_evicted_total.",
            evicted.Count, evicted[0].Identity);

        // Counted after the log line, so whoever sees the count also finds the line.
        Interlocked.Add(ref profilesEvicted, evicted.Count);
        metrics.ProfilesEvicted.Inc(evicted.Count);
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

        Views.Forget(victims.Select(tag => (tag.ToString(), hostId)));

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

    /// <summary>
    /// The view-index calls of a batch's hosts (<paramref name="hostOrder"/>, with <paramref name="viewsOf"/> views
    /// each): hosts grouped by their index key's Redis slot (on a standalone Redis every key is in one group), at most
    /// <see cref="HostViewIndexScript.HostsPerCall"/> hosts and about <see cref="HostViewIndexScript.ArgumentsPerCall"/>
    /// arguments per call. Each call's arguments are rented (<see cref="CommitScratch.RentArguments"/>); each host's (score, tag) pairs are to be written from
    /// <c>NextOf[host]</c> on into <c>ArgumentsOf[host]</c>, and its expiry refresh flag (0 here) set at <c>RefreshAt[host]</c>.
    /// </summary>
    private IndexCallPlan IndexCalls(List<string> hostOrder, List<int> viewsOf, CommitScratch scratch)
    {
        var plan = new IndexCallPlan(new RedisValue[hostOrder.Count][], new int[hostOrder.Count], new int[hostOrder.Count], []);
        foreach (var group in redis.GroupBySlot(hostOrder.Count, host => keys.HostViews(hostOrder[host])).Values)
        {
            for (var start = 0; start < group.Count;)
            {
                // A call ends at HostsPerCall hosts or ArgumentsPerCall arguments, whichever comes first (a host
                // with more views than that goes alone), so a backlog's many-view hosts do not make one long script.
                var end = start;
                var length = 1;
                while (end < group.Count && end - start < HostViewIndexScript.HostsPerCall)
                {
                    var more = 2 + (2 * viewsOf[group[end]]);
                    if (end > start && length + more > HostViewIndexScript.ArgumentsPerCall)
                    {
                        break;
                    }

                    length += more;
                    end++;
                }

                var hosts = group.GetRange(start, end - start).ToArray();
                start = end;
                var indexKeys = new RedisKey[hosts.Length];
                // Reused from an earlier batch when one fits (the script reads only as many arguments as its counts name).
                var arguments = scratch.RentArguments(length);
                arguments[0] = viewTtl;
                var at = 1;
                for (var k = 0; k < hosts.Length; k++)
                {
                    indexKeys[k] = keys.HostViews(hostOrder[hosts[k]]);
                    arguments[at] = viewsOf[hosts[k]];
                    arguments[at + 1] = 0;
                    plan.ArgumentsOf[hosts[k]] = arguments;
                    plan.RefreshAt[hosts[k]] = at + 1;
                    plan.NextOf[hosts[k]] = at + 2;
                    at += 2 + (2 * viewsOf[hosts[k]]);
                }

                plan.Calls.Add((hosts, indexKeys, arguments));
            }
        }

        return plan;
    }

    private sealed record IndexCallPlan(RedisValue[][] ArgumentsOf, int[] NextOf, int[] RefreshAt, List<(int[] Hosts, RedisKey[] Keys, RedisValue[] Arguments)> Calls);

    /// <summary>
    /// Whether a commit at <paramref name="writtenAt"/> refreshes <paramref name="view"/>'s expiry (and its host's index's):
    /// when this process has not refreshed it within the margin, or never (a view read from Redis, or new).
    /// </summary>
    private bool ViewExpiryDue(HostImageState view, long writtenAt) => ExpiryRefresh.IsDue(view.ExpiryRefreshedAt, writtenAt, viewRefreshMargin);

    private static int WriteWatermark(Watermark mark, ref byte[] buffer, int start)
    {
        int written;
        while (!mark.TryWriteUtf8(buffer.AsSpan(start), out written))
        {
            Array.Resize(ref buffer, buffer.Length * 2);
        }

        return start + written;
    }

    /// <summary>
    /// The <see cref="ProfileUpdateScript.UpdateMany"/> calls for the images <paramref name="group"/> indexes in
    /// <paramref name="scripted"/> (one Redis slot's), of a bounded size (<see cref="CallsOf"/>): each call's keys are its
    /// images' keys one image after another, its arguments the image count, each image's key and argument counts, then
    /// each image's arguments, written straight into the call's (rented) array. The views' bytes are written into the
    /// commit's one byte buffer and become arguments once every call is built (<see cref="CommitScratch.Slices"/>).
    /// </summary>
    private List<(List<int> Images, RedisKey[] Keys, RedisValue[] Arguments)> UpdateCalls(List<List<HostUpdate>> scripted, List<int> group, CommitScratch scratch, long writtenAt)
    {
        var calls = new List<(List<int> Images, RedisKey[] Keys, RedisValue[] Arguments)>();
        foreach (var images in CallsOf(group, i => 2 + ScriptKeyCount(scripted[i]) + ScriptArgumentCount(scripted[i])))
        {
            var keyCount = 0;
            var argumentCount = 1 + (2 * images.Count);
            foreach (var i in images)
            {
                keyCount += ScriptKeyCount(scripted[i]);
                argumentCount += ScriptArgumentCount(scripted[i]);
            }

            var callKeys = new RedisKey[keyCount];
            var arguments = scratch.RentArguments(argumentCount);
            arguments[0] = images.Count;
            var keyAt = 0;
            var argumentAt = 1 + (2 * images.Count);
            for (var g = 0; g < images.Count; g++)
            {
                var updates = scripted[images[g]];
                var (imageKeys, imageArguments) = (ScriptKeyCount(updates), ScriptArgumentCount(updates));
                arguments[1 + (2 * g)] = imageKeys;
                arguments[2 + (2 * g)] = imageArguments;
                WriteScriptKeys(updates, callKeys.AsSpan(keyAt, imageKeys));
                WriteScriptArguments(updates, updates[0].Contribution, arguments, argumentAt, imageArguments, scratch, writtenAt);
                keyAt += imageKeys;
                argumentAt += imageArguments;
            }

            calls.Add((images, callKeys, arguments));
        }

        return calls;
    }

    /// <summary>
    /// <paramref name="group"/> (one Redis slot's images) split, in order, into script calls of at most
    /// <see cref="ProfileUpdateScript.ImagesPerCall"/> images and about <see cref="ProfileUpdateScript.ValuesPerCall"/>
    /// keys and arguments (<paramref name="valuesOf"/> an image's; an image with more goes alone), whichever comes first:
    /// Redis runs a script alone, so a backlog's batch of hundreds of images goes in several short calls rather than
    /// one that holds Redis for every other client.
    /// </summary>
    internal static List<List<int>> CallsOf(List<int> group, Func<int, int> valuesOf)
    {
        if (group.Count <= ProfileUpdateScript.ImagesPerCall)
        {
            var total = 0;
            foreach (var i in group)
            {
                total += valuesOf(i);
            }

            if (total <= ProfileUpdateScript.ValuesPerCall)
            {
                return [group];
            }
        }

        var calls = new List<List<int>>();
        for (var start = 0; start < group.Count;)
        {
            var end = start;
            var length = 0;
            while (end < group.Count && end - start < ProfileUpdateScript.ImagesPerCall)
            {
                var more = valuesOf(group[end]);
                if (end > start && length + more > ProfileUpdateScript.ValuesPerCall)
                {
                    break;
                }

                length += more;
                end++;
            }

            calls.Add(group.GetRange(start, end - start));
            start = end;
        }

        return calls;
    }

    /// <summary>An image's keys in its update call: its profile, destinations and hosts, then each view's.</summary>
    private static int ScriptKeyCount(List<HostUpdate> updates) => 3 + updates.Count;

    private void WriteScriptKeys(List<HostUpdate> updates, Span<RedisKey> scriptKeys)
    {
        var tag = updates[0].Image.Tag;
        scriptKeys[0] = keys.Profile(tag);
        scriptKeys[1] = keys.Destinations(tag);
        scriptKeys[2] = keys.Hosts(tag);
        for (var i = 0; i < updates.Count; i++)
        {
            // Built once per view while it stays in memory: every batch that sees the host writes it.
            var state = updates[i].State;
            scriptKeys[3 + i] = state.StorageKey ??= keys.HostView(tag, updates[i].HostId).ToString();
        }
    }

    /// <summary>
    /// An image's arguments in its update call: the header, 5 per host view (expected and new watermark, view, expiry
    /// refresh flag, host id),
    /// 20 for the contribution's counts, times, statistics and the version, 3 per protocol, one per destination.
    /// </summary>
    private static int ScriptArgumentCount(List<HostUpdate> updates)
    {
        var total = updates[0].Contribution;
        return ProfileUpdateScript.HeaderArguments + (updates.Count * (ProfileUpdateScript.ViewArguments + 1)) + 20 + (total.Protocols.Count * 3) + total.Destinations.Count;
    }

    /// <summary>
    /// Writes the script's arguments for <paramref name="updates"/> into <paramref name="call"/> from
    /// <paramref name="offset"/> on (<paramref name="length"/> of them, <see cref="ScriptArgumentCount"/>).
    /// The views' watermarks and encodings go into the commit's byte buffer, each argument a slice of it, rather than a
    /// string and an array per view.
    /// </summary>
    private void WriteScriptArguments(List<HostUpdate> updates, FleetContribution total, RedisValue[] call, int offset, int length, CommitScratch scratch, long writtenAt)
    {
        var values = call.AsSpan(offset, length);
        var image = updates[0].Image;
        var at = 0;
        values[at++] = profileTtl;
        values[at++] = viewTtl;
        values[at++] = options.MaxProtocolsPerImage;
        values[at++] = options.MinObservations;
        values[at++] = options.MinAge.Ticks * 100;
        values[at++] = image.Identity;
        values[at++] = ProcessImage.KindText(image.Kind);
        values[at++] = updates.Count;
        // Refreshed when less than the retention remains: the last refresh (retention + margin) was the margin or more ago.
        values[at++] = (long)options.Retention.TotalMilliseconds;
        var buffer = scratch.ViewBytes;
        var end = scratch.ViewBytesUsed;
        for (var i = 0; i < updates.Count; i++)
        {
            var state = updates[i].State;
            if (updates[i].ExpectedText is { } expected)
            {
                // As read from Redis: sent as the text it is.
                values[at] = expected;
            }
            else
            {
                var from = end;
                end = WriteWatermark(updates[i].ExpectedMark, ref buffer, end);
                scratch.Slices.Add((call, offset + at, from, end));
            }

            var newFrom = end;
            end = WriteWatermark(updates[i].NewWatermark, ref buffer, end);
            scratch.Slices.Add((call, offset + at + 1, newFrom, end));
            var viewFrom = end;
            end = HostViewBinary.WriteInto(state, ref buffer, end);
            scratch.Slices.Add((call, offset + at + 2, viewFrom, end));
            values[at + 3] = ViewExpiryDue(state, writtenAt) ? 1 : 0;
            at += ProfileUpdateScript.ViewArguments;
        }

        scratch.ViewBytes = buffer;
        scratch.ViewBytesUsed = end;
        foreach (var update in updates)
        {
            values[at++] = update.HostId;
        }

        values[at++] = total.Observations;
        values[at++] = total.Connections;
        values[at++] = total.Alerts;
        // Numbers go as RedisValue numbers: written as the same decimal (or round-trip double) text, with no string each.
        values[at++] = total.HasSighting ? total.FirstSeen : string.Empty;
        values[at++] = total.HasSighting ? total.LastSeen : string.Empty;
        values[at++] = total.Protocols.Count;
        foreach (var (signature, count) in total.Protocols)
        {
            values[at++] = signature;
            values[at++] = count.Count;
            values[at++] = count.FirstSeen;
        }

        foreach (var statistics in (ReadOnlySpan<LogVolumeStatistics>)[total.SentPerConnection, total.ReceivedPerConnection, total.SentPerBucket, total.ReceivedPerBucket])
        {
            values[at++] = statistics.Count;
            values[at++] = statistics.Mean;
            values[at++] = statistics.M2;
        }

        values[at++] = total.Destinations.Count;
        foreach (var destination in total.Destinations)
        {
            values[at++] = destination;
        }

        // The profile's new version: fresh and random for every write, so no version is ever issued twice.
        values[at++] = ProfileUpdateScript.NewVersion();

        if (at != values.Length)
        {
            throw new InvalidOperationException($"Profile update arguments: filled {at} of {values.Length}.");
        }
    }

    /// <summary>Listing indexes live on their own slot, outside the script; they are advisory, so predicted changes are good enough.</summary>
    private void IndexUpdates(IDatabase db, List<Task> writes, ProfileSnapshot profile, FleetContribution total, List<SortedSetEntry> seen, List<SortedSetEntry> changed)
    {
        if (!total.HasSighting)
        {
            return;
        }

        var last = total.LastSeen;
        var first = Math.Min(total.FirstSeen, profile.FirstSeen > 0 ? profile.FirstSeen : long.MaxValue);
        seen.Add(new SortedSetEntry(profile.Image.Tag, Millis(last)));
        if (!profile.Exists && profile.Image.SigningIdAlias is { } alias)
        {
            writes.Add(db.HashSetAsync(keys.SigningIdAliases, alias, profile.Image.Identity));
        }

        var learnsProtocol = !profile.IsSaturated(options) && total.Protocols.Keys.Any(p => !profile.Protocols.ContainsKey(p));
        var matures = !profile.IsMature(options)
            && profile.Observations + total.Observations >= options.MinObservations
            && last - first >= options.MinAge.Ticks * 100;
        if (learnsProtocol || matures)
        {
            changed.Add(new SortedSetEntry(profile.Image.Tag, Millis(last)));
        }
    }

    /// <summary>A <see cref="ProfileUpdateScript.ReadManyIfChanged"/> image reply's fields as HGETALL would return them.</summary>
    private static HashEntry[] Entries(RedisResult reply)
    {
        if (reply.Resp2Type != ResultType.Array || reply.IsNull)
        {
            return [];
        }

        var items = (RedisResult[])reply!;
        var entries = new HashEntry[items.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry((RedisValue)items[2 * i], (RedisValue)items[(2 * i) + 1]);
        }

        return entries;
    }

    private void CountRoundTrip()
    {
        Interlocked.Increment(ref roundTrips);
        metrics.RedisRoundTrips.Inc();
    }

    private static double Millis(long nanos) => nanos / 1_000_000;

}
