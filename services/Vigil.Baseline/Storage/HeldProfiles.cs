using Vigil.Baseline.Learning;

namespace Vigil.Baseline.Storage;

/// <summary>
/// Profiles kept in memory between batches, each with the version (<see cref="ProfileFields.Version"/>) it was read or
/// written at. Profiles are shared by the whole fleet (every baseline instance adds its hosts' contributions, analysts
/// accept protocols), so a held copy is never trusted on its own: every batch sends the held version with its read of
/// each touched profile (<see cref="ProfileUpdateScript.ReadManyIfChanged"/>, in the batch's one round trip of reads),
/// and Redis answers with the whole profile only when someone changed it since. A batch therefore evaluates against
/// exactly the profile Redis held when it read, as when every profile was read whole.
/// <para>
/// After a batch's update script applied, it returns the version it found and the one it left. When the version found
/// is the held one, nobody wrote in between, so the held copy plus this batch's contribution, computed with the
/// script's own arithmetic (<see cref="AfterUpdate"/>: integer sums, min/max, the protocol cap in the same order, the
/// variance merge in the same double operations), is the profile at the new version. Otherwise the copy is dropped and
/// the next batch reads the profile whole. Versions start at a random number, so a profile that expired or was
/// deleted and was made again never matches a copy of the old one.
/// </para>
/// At most <c>limit</c> profiles are held; over it, the tenth least recently used leave memory. Safe for concurrent use.
/// </summary>
public sealed class HeldProfiles(int limit)
{
    private readonly Dictionary<string, Entry> held = new(StringComparer.Ordinal);
    private long uses;
    private string? generation;

    /// <summary>Profiles held in memory.</summary>
    public int Count
    {
        get
        {
            lock (held)
            {
                return held.Count;
            }
        }
    }

    /// <summary>The copy held for <paramref name="tag"/> and its version, when there is one.</summary>
    public bool TryGet(string tag, out ProfileSnapshot profile, out long version)
    {
        lock (held)
        {
            if (held.TryGetValue(tag, out var entry))
            {
                entry.LastUse = ++uses;
                profile = entry.Profile;
                version = entry.Version;
                return true;
            }
        }

        profile = null!;
        version = 0;
        return false;
    }

    /// <summary>
    /// Holds <paramref name="profile"/>, just read whole at <paramref name="version"/> with <paramref name="protocolKinds"/>
    /// (the hash's count of protocols, which the update script's cap compares with).
    /// </summary>
    public void Keep(string tag, ProfileSnapshot profile, long version, long protocolKinds)
    {
        if (limit == 0)
        {
            return;
        }

        lock (held)
        {
            held[tag] = new Entry(profile, version, protocolKinds, ++uses);
            if (held.Count > limit)
            {
                Shed();
            }
        }
    }

    /// <summary>
    /// What a batch's applied update script reported for <paramref name="tag"/>: the version it found
    /// (<paramref name="before"/>, null when the profile had none), the one it left, and whether the profile matured.
    /// The held copy advances by <paramref name="total"/> when it was the one the batch evaluated
    /// (<paramref name="evaluated"/>) and nobody wrote in between; otherwise it is dropped.
    /// </summary>
    public void Applied(string tag, ProfileSnapshot evaluated, FleetContribution total, long? before, long after, bool maturedNow, BaselineOptions options)
    {
        lock (held)
        {
            if (!held.TryGetValue(tag, out var entry))
            {
                return;
            }

            if (before != entry.Version || !ReferenceEquals(entry.Profile, evaluated))
            {
                held.Remove(tag);
                return;
            }

            var kinds = entry.ProtocolKinds;
            var next = AfterUpdate(entry.Profile, ref kinds, total, options, out var matured);
            if (next is null || matured != maturedNow)
            {
                // Not what the script did (it cannot be, short of a changed script): read the profile whole next time.
                held.Remove(tag);
                return;
            }

            entry.Profile = next;
            entry.Version = after;
            entry.ProtocolKinds = kinds;
        }
    }

    /// <summary>Drops the copy of <paramref name="tag"/> (its profile is read whole when next needed).</summary>
    public void Forget(string tag)
    {
        lock (held)
        {
            held.Remove(tag);
        }
    }

    /// <summary>Drops every copy when the baseline's memory generation changed (Redis lost its data).</summary>
    public void KeepGeneration(string? current)
    {
        if (current is null)
        {
            return;
        }

        lock (held)
        {
            if (generation is not null && generation != current)
            {
                held.Clear();
            }

            generation = current;
        }
    }

    /// <summary>
    /// <paramref name="profile"/> after <see cref="ProfileUpdateScript.UpdateMany"/> added <paramref name="total"/> to it, as
    /// the script computes it; <paramref name="protocolKinds"/> advances with it. Null for what it does not model
    /// (negative times, whose decimal texts the script compares as strings). The profile's protocol dictionary is
    /// updated in place: a batch's snapshots are not used once its update is applied.
    /// </summary>
    internal static ProfileSnapshot? AfterUpdate(ProfileSnapshot profile, ref long protocolKinds, FleetContribution total, BaselineOptions options, out bool maturedNow)
    {
        maturedNow = false;
        if (total.HasSighting && (total.FirstSeen <= 0 || total.LastSeen <= 0))
        {
            return null;
        }

        // The script's min/max treat an absent field (read as 0) as unset.
        var firstSeen = profile.FirstSeen;
        var lastSeen = profile.LastSeen;
        if (total.HasSighting)
        {
            firstSeen = firstSeen == 0 ? total.FirstSeen : Math.Min(firstSeen, total.FirstSeen);
            lastSeen = Math.Max(lastSeen, total.LastSeen);
        }

        foreach (var count in total.Protocols.Values)
        {
            if (count.FirstSeen <= 0)
            {
                return null;
            }
        }

        var protocols = profile.Protocols as Dictionary<string, ProtocolCount> ?? new Dictionary<string, ProtocolCount>(profile.Protocols, StringComparer.Ordinal);
        var overflow = profile.ProtocolOverflow;
        var lastChanged = profile.LastChanged;
        foreach (var (signature, count) in total.Protocols)
        {
            if (protocols.TryGetValue(signature, out var known))
            {
                protocols[signature] = new ProtocolCount(known.Count + count.Count, known.FirstSeen == 0 ? count.FirstSeen : Math.Min(known.FirstSeen, count.FirstSeen));
            }
            else if (protocolKinds < options.MaxProtocolsPerImage)
            {
                protocols[signature] = count;
                protocolKinds++;
                lastChanged = Math.Max(lastChanged, count.FirstSeen);
            }
            else
            {
                overflow += count.Count;
            }
        }

        var observations = profile.Observations + total.Observations;
        var maturedAt = profile.MaturedAt;
        if (maturedAt == 0 && firstSeen != 0 && lastSeen != 0
            && (double)observations >= options.MinObservations
            && (double)lastSeen - (double)firstSeen >= (double)(options.MinAge.Ticks * 100))
        {
            maturedAt = lastSeen;
            lastChanged = Math.Max(lastChanged, lastSeen);
            maturedNow = true;
        }

        return profile with
        {
            FirstSeen = firstSeen,
            LastSeen = lastSeen,
            MaturedAt = maturedAt,
            Observations = observations,
            Connections = profile.Connections + total.Connections,
            Protocols = protocols,
            ProtocolOverflow = overflow,
            SentPerConnection = Merged(profile.SentPerConnection, total.SentPerConnection),
            ReceivedPerConnection = Merged(profile.ReceivedPerConnection, total.ReceivedPerConnection),
            SentPerBucket = Merged(profile.SentPerBucket, total.SentPerBucket),
            ReceivedPerBucket = Merged(profile.ReceivedPerBucket, total.ReceivedPerBucket),
            Alerts = profile.Alerts + total.Alerts,
            LastChanged = lastChanged,
        };
    }

    /// <summary>
    /// The script's merge, operation for operation in doubles (its numbers are Lua doubles, written with %.17g, which
    /// reads back as the same double). Unlike <see cref="LogVolumeStatistics.Merge"/> it does not shortcut an empty
    /// profile: the script computes 0 + mean·n/n there, which need not be exactly the mean.
    /// </summary>
    internal static LogVolumeStatistics Merged(LogVolumeStatistics profile, LogVolumeStatistics add)
    {
        if (add.Count <= 0)
        {
            return profile;
        }

        double n1 = profile.Count;
        double n = add.Count;
        var total = n1 + n;
        var delta = add.Mean - profile.Mean;
        return new LogVolumeStatistics((long)total, profile.Mean + (delta * n / total), profile.M2 + add.M2 + (delta * delta * n1 * n / total));
    }

    // Down to 90% of the limit, least recently used first.
    private void Shed()
    {
        var excess = held.Count - (limit - (limit / 10));
        foreach (var tag in held.OrderBy(e => e.Value.LastUse).Take(excess).Select(e => e.Key).ToList())
        {
            held.Remove(tag);
        }
    }

    private sealed class Entry(ProfileSnapshot profile, long version, long protocolKinds, long lastUse)
    {
        public ProfileSnapshot Profile { get; set; } = profile;

        public long Version { get; set; } = version;

        public long ProtocolKinds { get; set; } = protocolKinds;

        public long LastUse { get; set; } = lastUse;
    }
}
