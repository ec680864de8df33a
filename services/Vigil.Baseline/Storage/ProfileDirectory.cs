using StackExchange.Redis;
using Vigil.Baseline.Api;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Contracts.Baseline;

namespace Vigil.Baseline.Storage;

/// <summary>Reads profiles, host views, listings and alert explanations for the gRPC API.</summary>
public sealed class ProfileDirectory(IConnectionMultiplexer redis, BaselineKeys keys, BaselineOptions options)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    // Maturity filters look at this many most recently seen profiles.
    private const int FilterScanLimit = 5000;

    /// <summary>The profile <paramref name="image"/> names (see <see cref="ProcessImage.Candidates"/>), or null.</summary>
    public async Task<(ProfileSnapshot Snapshot, Profile Profile)?> FindAsync(string image)
    {
        var db = redis.GetDatabase();
        var candidates = ProcessImage.Candidates(image).ToList();
        if (!image.Contains(':', StringComparison.Ordinal) && await db.HashGetAsync(keys.SigningIdAliases, image.Trim()).ConfigureAwait(false) is { HasValue: true } alias)
        {
            candidates.Insert(0, new ProcessImage(alias.ToString(), ProcessImageIdentityKind.CodeSigning));
        }

        foreach (var candidate in candidates)
        {
            if (await ReadAsync(db, candidate).ConfigureAwait(false) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The profile of exactly <paramref name="image"/>, or null when it has none.</summary>
    private async Task<(ProfileSnapshot Snapshot, Profile Profile)?> ReadAsync(IDatabase db, ProcessImage image)
    {
        var snapshot = ProfileHashes.Profile(image, await db.HashGetAllAsync(keys.Profile(image.Tag)).ConfigureAwait(false));
        if (!snapshot.Exists)
        {
            return null;
        }

        var destinations = db.HyperLogLogLengthAsync(keys.Destinations(image.Tag));
        var hosts = db.HyperLogLogLengthAsync(keys.Hosts(image.Tag));
        return (snapshot, ProfileProtos.Describe(snapshot, options, await destinations.ConfigureAwait(false), await hosts.ConfigureAwait(false)));
    }

    public async Task<HostView?> FindHostViewAsync(ProcessImage image, string hostId)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(keys.HostView(image.Tag, hostId)).ConfigureAwait(false);
        return entries.Length == 0 ? null : ProfileProtos.Describe(hostId, ProfileHashes.HostView(entries, options.PersistenceWindow), options);
    }

    /// <summary>The memory generation marker (empty when no baseline has written one yet).</summary>
    public async Task<MemoryGeneration> GenerationAsync()
    {
        var entries = (await redis.GetDatabase().HashGetAllAsync(keys.Generation).ConfigureAwait(false)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        return new MemoryGeneration
        {
            Id = entries.GetValueOrDefault("id") ?? string.Empty,
            StartedUnixSeconds = long.TryParse(entries.GetValueOrDefault("started"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var started) ? started : 0,
            Reason = entries.GetValueOrDefault("reason") ?? string.Empty,
        };
    }

    public async Task<IReadOnlyList<ProfileSummary>> ListAsync(ProfileFilter filter, int limit)
    {
        limit = limit <= 0 ? DefaultLimit : Math.Min(limit, MaxLimit);
        var (index, scan) = filter switch
        {
            ProfileFilter.RecentlyChanged => (keys.ChangedIndex, limit),
            ProfileFilter.MostAnomalous => (keys.AnomalousIndex, limit),
            ProfileFilter.Immature or ProfileFilter.Mature => (keys.SeenIndex, FilterScanLimit),
            _ => (keys.SeenIndex, limit),
        };
        var db = redis.GetDatabase();
        var tags = await db.SortedSetRangeByRankAsync(index, 0, scan - 1, Order.Descending).ConfigureAwait(false);
        var reads = tags.Select(t => (Tag: t.ToString(), Read: db.HashGetAllAsync(keys.Profile(t.ToString())))).ToList();
        await Task.WhenAll(reads.Select(r => r.Read)).ConfigureAwait(false);

        var summaries = new List<ProfileSummary>();
        var expired = new List<RedisValue>();
        foreach (var (tag, read) in reads)
        {
            var fields = read.Result.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
            if (!fields.TryGetValue(ProfileFields.Identity, out var identity))
            {
                expired.Add(tag);
                continue;
            }

            var kind = fields.GetValueOrDefault(ProfileFields.IdentityKind) switch
            {
                "code-signing" => ProcessImageIdentityKind.CodeSigning,
                "path" => ProcessImageIdentityKind.Path,
                _ => ProcessImageIdentityKind.Name,
            };
            var snapshot = ProfileHashes.Profile(new ProcessImage(identity, kind), read.Result);
            var mature = snapshot.IsMature(options);
            if ((filter == ProfileFilter.Immature && mature) || (filter == ProfileFilter.Mature && !mature))
            {
                continue;
            }

            summaries.Add(ProfileProtos.Summarize(snapshot, options));
            if (summaries.Count == limit)
            {
                break;
            }
        }

        if (expired.Count > 0)
        {
            // Profiles expire on their own (retention); their index entries go when a listing finds them gone.
            await Task.WhenAll(
                db.SortedSetRemoveAsync(keys.SeenIndex, [.. expired]),
                db.SortedSetRemoveAsync(keys.ChangedIndex, [.. expired]),
                db.SortedSetRemoveAsync(keys.AnomalousIndex, [.. expired])).ConfigureAwait(false);
        }

        return summaries;
    }

    /// <summary>
    /// Records an analyst's acceptance of <paramref name="signature"/> for the profile <paramref name="image"/> names and
    /// adds the protocol to it when new (count 0, so counts stay what traffic taught), atomically in one script on the
    /// profile's slot, bumping its version so that baselines holding it read it again. Batches read profiles (or check
    /// the version of the one they hold) when they start, so acceptance applies from each consumer's next batch.
    /// Null when no such profile exists; otherwise the profile after the change and whether the protocol was new.
    /// </summary>
    public async Task<(Profile Profile, bool NewlyLearned)?> AcceptProtocolAsync(string image, ProtocolSignature signature, string reason, string acceptedBy, DateTimeOffset now)
    {
        if (await FindAsync(image).ConfigureAwait(false) is not { } found)
        {
            return null;
        }

        var db = redis.GetDatabase();
        var tag = found.Snapshot.Image.Tag;
        var nanos = now.ToUnixTimeMilliseconds() * 1_000_000;
        var result = (long)await db.ScriptEvaluateAsync(
            AcceptScript,
            [keys.Profile(tag)],
            [signature.ToString(), nanos.ToString(System.Globalization.CultureInfo.InvariantCulture), reason, acceptedBy, MaxAcceptanceHistory, ProfileUpdateScript.NewVersion()]).ConfigureAwait(false);
        if (result < 0)
        {
            return null; // Expired between the read and the script.
        }

        await db.SortedSetAddAsync(keys.ChangedIndex, tag, now.ToUnixTimeMilliseconds(), SortedSetWhen.GreaterThan).ConfigureAwait(false);
        var after = await ReadAsync(db, found.Snapshot.Image).ConfigureAwait(false);
        return after is null ? null : (after.Value.Profile, result == 1);
    }

    /// <summary>Verdicts kept per protocol; older ones drop off (the latest is always kept in full).</summary>
    public const int MaxAcceptanceHistory = 50;

    // KEYS[1] profile hash; ARGV signature, accepted-at (ns), reason, by, history cap, new version. Returns 1 when the protocol was
    // new, 0 when known, -1 when the profile no longer exists. Field names: ProfileFields. The history is appended,
    // never rewritten, so a second verdict keeps the first; a profile from before the history existed starts it
    // with its one stored verdict. Times stay strings in the JSON: Lua numbers are doubles and would round them.
    private const string AcceptScript = ProfileUpdateScript.ProfileFunctions + $$"""
        if redis.call('EXISTS', profile) == 0 then return -1 end
        """ + "\n" + ProfileUpdateScript.BumpVersion + "\n" + $$"""
        local added = redis.call('HSETNX', profile, '{{ProfileFields.ProtocolPrefix}}' .. ARGV[1], '0')
        if added == 1 then
          redis.call('HSET', profile, '{{ProfileFields.ProtocolFirstSeenPrefix}}' .. ARGV[1], ARGV[2])
          redis.call('HINCRBY', profile, '{{ProfileFields.ProtocolKinds}}', 1)
        end
        local stored = redis.call('HGET', profile, '{{ProfileFields.ProtocolAcceptanceHistoryPrefix}}' .. ARGV[1])
        local history = {}
        if stored then
          history = cjson.decode(stored)
        else
          local previous = redis.call('HMGET', profile, '{{ProfileFields.ProtocolAcceptedAtPrefix}}' .. ARGV[1],
            '{{ProfileFields.ProtocolAcceptedReasonPrefix}}' .. ARGV[1], '{{ProfileFields.ProtocolAcceptedByPrefix}}' .. ARGV[1])
          if previous[1] then history[1] = { at = previous[1], reason = previous[2] or '', by = previous[3] or '' } end
        end
        history[#history + 1] = { at = ARGV[2], reason = ARGV[3], by = ARGV[4] }
        while #history > tonumber(ARGV[5]) do table.remove(history, 1) end
        redis.call('HSET', profile, '{{ProfileFields.ProtocolAcceptedAtPrefix}}' .. ARGV[1], ARGV[2], '{{ProfileFields.ProtocolAcceptedReasonPrefix}}' .. ARGV[1], ARGV[3],
          '{{ProfileFields.ProtocolAcceptedByPrefix}}' .. ARGV[1], ARGV[4], '{{ProfileFields.ProtocolAcceptanceHistoryPrefix}}' .. ARGV[1], cjson.encode(history))
        set_max('{{ProfileFields.LastChanged}}', ARGV[2])
        return added
        """;

    public async Task<AlertExplanation?> ExplainAsync(string alertId)
    {
        var bytes = await redis.GetDatabase().StringGetAsync(keys.Explanation(alertId)).ConfigureAwait(false);
        return bytes.HasValue ? AlertExplanation.Parser.ParseFrom((byte[])bytes!) : null;
    }
}
