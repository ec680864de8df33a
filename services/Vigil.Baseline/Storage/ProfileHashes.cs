using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;

namespace Vigil.Baseline.Storage;

/// <summary>
/// Reads the baseline's Redis hashes into domain state: the field names (<see cref="ProfileFields"/>) and Redis's
/// types stay here, so learning and detection never see how a profile is stored.
/// </summary>
internal static class ProfileHashes
{
    /// <summary>
    /// A profile from its hash (empty when it has none), in one pass over the entries: every batch reads the profile
    /// of each image it touches. A profile with an analyst's verdict (rare) goes through <see cref="ProfileByName"/>.
    /// </summary>
    public static ProfileSnapshot Profile(ProcessImage image, HashEntry[] entries)
    {
        long firstSeen = 0, lastSeen = 0, maturedAt = 0, observations = 0, connections = 0, overflow = 0, alerts = 0, lastChanged = 0;
        long sentCount = 0, receivedCount = 0, sentBucketCount = 0, receivedBucketCount = 0;
        double sentMean = 0, sentM2 = 0, receivedMean = 0, receivedM2 = 0, sentBucketMean = 0, sentBucketM2 = 0, receivedBucketMean = 0, receivedBucketM2 = 0;
        var protocols = new Dictionary<string, ProtocolCount>(StringComparer.Ordinal);
        List<(string Signature, RedisValue Value)>? firstSeens = null;
        foreach (var entry in entries)
        {
            var name = HashFields.Name(entry.Name);
            var value = entry.Value;
            switch (name)
            {
                case ProfileFields.FirstSeen: firstSeen = Long(value); break;
                case ProfileFields.LastSeen: lastSeen = Long(value); break;
                case ProfileFields.MaturedAt: maturedAt = Long(value); break;
                case ProfileFields.Observations: observations = Long(value); break;
                case ProfileFields.Connections: connections = Long(value); break;
                case ProfileFields.ProtocolOverflow: overflow = Long(value); break;
                case ProfileFields.Alerts: alerts = Long(value); break;
                case ProfileFields.LastChanged: lastChanged = Long(value); break;
                case ProfileFields.SentPerConnection + ProfileFields.Count: sentCount = Long(value); break;
                case ProfileFields.SentPerConnection + ProfileFields.Mean: sentMean = Double(value); break;
                case ProfileFields.SentPerConnection + ProfileFields.M2: sentM2 = Double(value); break;
                case ProfileFields.ReceivedPerConnection + ProfileFields.Count: receivedCount = Long(value); break;
                case ProfileFields.ReceivedPerConnection + ProfileFields.Mean: receivedMean = Double(value); break;
                case ProfileFields.ReceivedPerConnection + ProfileFields.M2: receivedM2 = Double(value); break;
                case ProfileFields.SentPerBucket + ProfileFields.Count: sentBucketCount = Long(value); break;
                case ProfileFields.SentPerBucket + ProfileFields.Mean: sentBucketMean = Double(value); break;
                case ProfileFields.SentPerBucket + ProfileFields.M2: sentBucketM2 = Double(value); break;
                case ProfileFields.ReceivedPerBucket + ProfileFields.Count: receivedBucketCount = Long(value); break;
                case ProfileFields.ReceivedPerBucket + ProfileFields.Mean: receivedBucketMean = Double(value); break;
                case ProfileFields.ReceivedPerBucket + ProfileFields.M2: receivedBucketM2 = Double(value); break;
                default:
                    if (name.StartsWith(ProfileFields.ProtocolPrefix, StringComparison.Ordinal))
                    {
                        if (HashFields.TryLong(value, out var count))
                        {
                            var signature = Suffix(name, ProfileFields.ProtocolPrefix);
                            protocols[signature] = new ProtocolCount(count, protocols.TryGetValue(signature, out var known) ? known.FirstSeen : 0);
                        }
                    }
                    else if (name.StartsWith(ProfileFields.ProtocolFirstSeenPrefix, StringComparison.Ordinal))
                    {
                        (firstSeens ??= []).Add((Suffix(name, ProfileFields.ProtocolFirstSeenPrefix), value));
                    }
                    else if (name.StartsWith(ProfileFields.ProtocolAcceptedAtPrefix, StringComparison.Ordinal))
                    {
                        return ProfileByName(image, entries);
                    }

                    break;
            }
        }

        foreach (var (signature, value) in firstSeens ?? [])
        {
            if (protocols.TryGetValue(signature, out var known))
            {
                protocols[signature] = known with { FirstSeen = Long(value) };
            }
        }

        return new ProfileSnapshot(
            image,
            firstSeen,
            lastSeen,
            maturedAt,
            observations,
            connections,
            protocols,
            overflow,
            new LogVolumeStatistics(sentCount, sentMean, sentM2),
            new LogVolumeStatistics(receivedCount, receivedMean, receivedM2),
            new LogVolumeStatistics(sentBucketCount, sentBucketMean, sentBucketM2),
            new LogVolumeStatistics(receivedBucketCount, receivedBucketMean, receivedBucketM2),
            alerts,
            lastChanged,
            NoAcceptances);

        static long Long(RedisValue value) => HashFields.TryLong(value, out var n) ? n : 0;
        static double Double(RedisValue value) => HashFields.TryDouble(value, out var d) ? d : 0;
    }

    /// <summary>
    /// A profile hash's version (<see cref="ProfileFields.Version"/>; null when it has none) and its count of protocols
    /// (<see cref="ProfileFields.ProtocolKinds"/>), which <see cref="HeldProfiles"/> keeps with a copy.
    /// </summary>
    public static (long? Version, long ProtocolKinds) VersionOf(HashEntry[] entries)
    {
        long? version = null;
        long kinds = 0;
        foreach (var entry in entries)
        {
            var name = HashFields.Name(entry.Name);
            if (name == ProfileFields.Version && HashFields.TryLong(entry.Value, out var v))
            {
                version = v;
            }
            else if (name == ProfileFields.ProtocolKinds && HashFields.TryLong(entry.Value, out var k))
            {
                kinds = k;
            }
        }

        return (version, kinds);
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<ProtocolAcceptance>> NoAcceptances =
        new Dictionary<string, IReadOnlyList<ProtocolAcceptance>>(StringComparer.Ordinal).AsReadOnly();

    /// <summary>A profile from its hash through a lookup of every field by name, as profiles with an analyst's verdicts need.</summary>
    internal static ProfileSnapshot ProfileByName(ProcessImage image, HashEntry[] entries)
    {
        // Values stay Redis's bytes: most are numbers, parsed where they are read.
        var fields = new Dictionary<string, RedisValue>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            fields[HashFields.Name(entry.Name)] = entry.Value;
        }

        long Long(string name) => fields.TryGetValue(name, out var v) && HashFields.TryLong(v, out var n) ? n : 0;
        double Double(string name) => fields.TryGetValue(name, out var v) && HashFields.TryDouble(v, out var d) ? d : 0;
        string Text(string name) => fields.TryGetValue(name, out var v) ? v.ToString() : string.Empty;
        LogVolumeStatistics Statistics(string prefix) =>
            new(Long(Prefixed(prefix, ProfileFields.Count)), Double(Prefixed(prefix, ProfileFields.Mean)), Double(Prefixed(prefix, ProfileFields.M2)));

        var protocols = new Dictionary<string, ProtocolCount>(StringComparer.Ordinal);
        var acceptances = new Dictionary<string, IReadOnlyList<ProtocolAcceptance>>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            if (name.StartsWith(ProfileFields.ProtocolPrefix, StringComparison.Ordinal) && HashFields.TryLong(value, out var count))
            {
                var signature = Suffix(name, ProfileFields.ProtocolPrefix);
                protocols[signature] = new ProtocolCount(count, Long(Prefixed(ProfileFields.ProtocolFirstSeenPrefix, signature)));
            }
            else if (name.StartsWith(ProfileFields.ProtocolAcceptedAtPrefix, StringComparison.Ordinal)
                && HashFields.TryLong(value, out var at) && at > 0)
            {
                // Rare (an analyst's verdict), so its other fields are looked up only here.
                var signature = name[ProfileFields.ProtocolAcceptedAtPrefix.Length..];
                var latest = new ProtocolAcceptance(
                    at,
                    Text(ProfileFields.ProtocolAcceptedReasonPrefix + signature),
                    Text(ProfileFields.ProtocolAcceptedByPrefix + signature));
                acceptances[signature] = AcceptanceHistory(
                    fields.TryGetValue(ProfileFields.ProtocolAcceptanceHistoryPrefix + signature, out var history) ? history.ToString() : null, latest);
            }
        }

        return new ProfileSnapshot(
            image,
            Long(ProfileFields.FirstSeen),
            Long(ProfileFields.LastSeen),
            Long(ProfileFields.MaturedAt),
            Long(ProfileFields.Observations),
            Long(ProfileFields.Connections),
            protocols,
            Long(ProfileFields.ProtocolOverflow),
            Statistics(ProfileFields.SentPerConnection),
            Statistics(ProfileFields.ReceivedPerConnection),
            Statistics(ProfileFields.SentPerBucket),
            Statistics(ProfileFields.ReceivedPerBucket),
            Long(ProfileFields.Alerts),
            Long(ProfileFields.LastChanged),
            acceptances);
    }

    // Names built from a prefix and a signature (or the signature cut from a name), once per distinct pair: a profile
    // of n protocols would otherwise cost 2n strings per read.
    private static readonly BoundedCache<(string Prefix, string Tail), string> Joined = new(16_384);
    private static readonly BoundedCache<(string Name, string Prefix), string> Cut = new(16_384);

    private static string Prefixed(string prefix, string tail) => Joined.GetOrAdd((prefix, tail), static p => p.Prefix + p.Tail);

    private static string Suffix(string name, string prefix) => Cut.GetOrAdd((name, prefix), static p => p.Name[p.Prefix.Length..]);

    /// <summary>A host view from its hash: field "w" (the watermark) and field "s" (its document).</summary>
    public static HostImageState HostView(HashEntry[] entries, int window)
    {
        string? stored = null;
        ReadOnlyMemory<byte>? document = null;
        foreach (var entry in entries)
        {
            if (entry.Name == ProfileFields.Watermark)
            {
                stored = entry.Value;
            }
            else if (entry.Name == ProfileFields.HostState)
            {
                document = (ReadOnlyMemory<byte>)entry.Value;
            }
        }

        return HostImageState.ParseUtf8(stored, document, window);
    }

    /// <summary>
    /// Every verdict on a protocol, oldest first, from its stored history (<see cref="ProfileFields.ProtocolAcceptanceHistoryPrefix"/>:
    /// a JSON array of {"at": "&lt;ns&gt;", "reason", "by"}); just <paramref name="latest"/> when the profile predates the
    /// history or the history is unreadable, so a verdict is never lost from view.
    /// </summary>
    public static IReadOnlyList<ProtocolAcceptance> AcceptanceHistory(string? json, ProtocolAcceptance latest)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [latest];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var history = new List<ProtocolAcceptance>();
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                var at = entry.TryGetProperty("at", out var a) ? a.ValueKind == JsonValueKind.String
                    ? long.Parse(a.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture)
                    : a.GetInt64() : 0;
                history.Add(new ProtocolAcceptance(at, Text(entry, "reason"), Text(entry, "by")));
            }

            return history.Count > 0 ? history : [latest];
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            return [latest];
        }
    }

    private static string Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
