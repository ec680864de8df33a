using Vigil.Baseline.Identity;

namespace Vigil.Baseline.Learning;

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
    IReadOnlyDictionary<string, ProtocolAcceptance> Acceptances)
{
    public bool Exists => Observations > 0 || Connections > 0 || FirstSeen > 0;

    public static ProfileSnapshot Empty(ProcessImage image) =>
        new(image, 0, 0, 0, 0, 0, new Dictionary<string, ProtocolCount>(), 0, default, default, default, default, 0, 0, new Dictionary<string, ProtocolAcceptance>());

    /// <summary>Learning ends once both the observation count and the observed span reach their minimum.</summary>
    public bool IsMature(BaselineOptions options) =>
        MaturedAt > 0 || (Observations >= options.MinObservations && LastSeen - FirstSeen >= options.MinAge.Ticks * 100);

    /// <summary>At the protocol cap: new protocols are counted as overflow and no longer alert.</summary>
    public bool IsSaturated(BaselineOptions options) => Protocols.Count >= options.MaxProtocolsPerImage;
}
