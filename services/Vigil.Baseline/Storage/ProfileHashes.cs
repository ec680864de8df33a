using System.Globalization;
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
    /// <summary>A profile from its hash (empty when it has none).</summary>
    public static ProfileSnapshot Profile(ProcessImage image, HashEntry[] entries)
    {
        var fields = new Dictionary<string, string>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            fields[entry.Name.ToString()] = entry.Value.ToString();
        }

        long Long(string name) => fields.TryGetValue(name, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        double Double(string name) => fields.TryGetValue(name, out var v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;
        LogVolumeStatistics Statistics(string prefix) =>
            new(Long(prefix + ProfileFields.Count), Double(prefix + ProfileFields.Mean), Double(prefix + ProfileFields.M2));

        var protocols = new Dictionary<string, ProtocolCount>(StringComparer.Ordinal);
        var acceptances = new Dictionary<string, ProtocolAcceptance>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            if (name.StartsWith(ProfileFields.ProtocolPrefix, StringComparison.Ordinal)
                && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                var signature = name[ProfileFields.ProtocolPrefix.Length..];
                protocols[signature] = new ProtocolCount(count, Long(ProfileFields.ProtocolFirstSeenPrefix + signature));
            }
            else if (name.StartsWith(ProfileFields.ProtocolAcceptedAtPrefix, StringComparison.Ordinal)
                && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) && at > 0)
            {
                // Rare (an analyst's verdict), so its other fields are looked up only here.
                var signature = name[ProfileFields.ProtocolAcceptedAtPrefix.Length..];
                acceptances[signature] = new ProtocolAcceptance(
                    at,
                    fields.GetValueOrDefault(ProfileFields.ProtocolAcceptedReasonPrefix + signature, string.Empty),
                    fields.GetValueOrDefault(ProfileFields.ProtocolAcceptedByPrefix + signature, string.Empty));
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

    /// <summary>A host view from its hash: field "w" (the watermark) and field "s" (its document).</summary>
    public static HostImageState HostView(HashEntry[] entries, int window)
    {
        string? stored = null;
        string? document = null;
        foreach (var entry in entries)
        {
            if (entry.Name == ProfileFields.Watermark)
            {
                stored = entry.Value;
            }
            else if (entry.Name == ProfileFields.HostState)
            {
                document = entry.Value;
            }
        }

        return HostImageState.Parse(stored, document, window);
    }
}
