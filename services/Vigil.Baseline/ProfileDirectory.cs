using StackExchange.Redis;
using Vigil.Contracts.Baseline;

namespace Vigil.Baseline;

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
            var entries = await db.HashGetAllAsync(keys.Profile(candidate.Tag)).ConfigureAwait(false);
            var snapshot = ProfileSnapshot.Parse(candidate, entries);
            if (snapshot.Exists)
            {
                var destinations = db.HyperLogLogLengthAsync(keys.Destinations(candidate.Tag));
                var hosts = db.HyperLogLogLengthAsync(keys.Hosts(candidate.Tag));
                return (snapshot, ProfileProtos.Describe(snapshot, options, await destinations.ConfigureAwait(false), await hosts.ConfigureAwait(false)));
            }
        }

        return null;
    }

    public async Task<HostView?> FindHostViewAsync(ProcessImage image, string hostId)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(keys.HostView(image.Tag, hostId)).ConfigureAwait(false);
        return entries.Length == 0 ? null : ProfileProtos.Describe(hostId, HostImageState.Parse(entries, options.PersistenceWindow), options);
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
            var snapshot = ProfileSnapshot.Parse(new ProcessImage(identity, kind), read.Result);
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

    public async Task<AlertExplanation?> ExplainAsync(string alertId)
    {
        var bytes = await redis.GetDatabase().StringGetAsync(keys.Explanation(alertId)).ConfigureAwait(false);
        return bytes.HasValue ? AlertExplanation.Parser.ParseFrom((byte[])bytes!) : null;
    }
}
