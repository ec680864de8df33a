using System.Globalization;
using StackExchange.Redis;

namespace Vigil.Baseline;

/// <summary>A profile as read from Redis at the start of a batch: what detection compares events against.</summary>
public sealed record ProfileSnapshot(
    ProcessImage Image,
    long FirstSeen,
    long LastSeen,
    long MaturedAt,
    long Observations,
    long Connections,
    IReadOnlyDictionary<string, ProtocolCount> Protocols,
    long ProtocolOverflow,
    LogVolumeStatistics SentPerConnection,
    LogVolumeStatistics ReceivedPerConnection,
    LogVolumeStatistics SentPerBucket,
    LogVolumeStatistics ReceivedPerBucket,
    long Alerts,
    long LastChanged,
    IReadOnlyDictionary<string, IReadOnlyList<ProtocolAcceptance>> Acceptances)
{
    public bool Exists => Observations > 0 || Connections > 0 || FirstSeen > 0;

    public static ProfileSnapshot Empty(ProcessImage image) =>
        new(image, 0, 0, 0, 0, 0, new Dictionary<string, ProtocolCount>(), 0, default, default, default, default, 0, 0, new Dictionary<string, IReadOnlyList<ProtocolAcceptance>>());

    /// <summary>Learning ends once both the observation count and the observed span reach their minimum.</summary>
    public bool IsMature(BaselineOptions options) =>
        MaturedAt > 0 || (Observations >= options.MinObservations && LastSeen - FirstSeen >= options.MinAge.Ticks * 100);

    /// <summary>At the protocol cap: new protocols are counted as overflow and no longer alert.</summary>
    public bool IsSaturated(BaselineOptions options) => Protocols.Count >= options.MaxProtocolsPerImage;

    public static ProfileSnapshot Parse(ProcessImage image, HashEntry[] entries)
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
        var acceptances = new Dictionary<string, IReadOnlyList<ProtocolAcceptance>>(StringComparer.Ordinal);
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
                var latest = new ProtocolAcceptance(
                    at,
                    fields.GetValueOrDefault(ProfileFields.ProtocolAcceptedReasonPrefix + signature, string.Empty),
                    fields.GetValueOrDefault(ProfileFields.ProtocolAcceptedByPrefix + signature, string.Empty));
                acceptances[signature] = ProtocolAcceptance.History(fields.GetValueOrDefault(ProfileFields.ProtocolAcceptanceHistoryPrefix + signature), latest);
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
}
