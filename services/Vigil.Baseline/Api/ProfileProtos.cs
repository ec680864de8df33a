using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Contracts.Baseline;

namespace Vigil.Baseline.Api;

/// <summary>Profiles and host views in the gRPC contract's shape.</summary>
public static class ProfileProtos
{
    public static Profile Describe(ProfileSnapshot snapshot, BaselineOptions options, long destinations, long hosts)
    {
        var profile = new Profile
        {
            Image = snapshot.Image.Identity,
            IdentityKind = ProcessImage.KindText(snapshot.Image.Kind),
            Maturity = Maturity(snapshot, options),
            FirstSeen = snapshot.FirstSeen,
            LastSeen = snapshot.LastSeen,
            MaturedAt = snapshot.MaturedAt,
            Observations = snapshot.Observations,
            Connections = snapshot.Connections,
            ProtocolOverflow = snapshot.ProtocolOverflow,
            DistinctDestinations = destinations,
            DistinctHosts = hosts,
            SentPerConnection = Describe(snapshot.SentPerConnection, options),
            ReceivedPerConnection = Describe(snapshot.ReceivedPerConnection, options),
            SentPerBucket = Describe(snapshot.SentPerBucket, options),
            ReceivedPerBucket = Describe(snapshot.ReceivedPerBucket, options),
            Alerts = snapshot.Alerts,
            LastChanged = snapshot.LastChanged,
            MaturityRequirement = new MaturityRequirement
            {
                MinObservations = options.MinObservations,
                MinAgeSeconds = (long)options.MinAge.TotalSeconds,
            },
            BucketSeconds = (long)options.BucketWidth.TotalSeconds,
        };
        profile.Protocols.Add(snapshot.Protocols.OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Describe(p.Key, p.Value, snapshot.Acceptances.GetValueOrDefault(p.Key))));
        return profile;
    }

    public static ProfileSummary Summarize(ProfileSnapshot snapshot, BaselineOptions options) => new()
    {
        Image = snapshot.Image.Identity,
        Maturity = Maturity(snapshot, options),
        Observations = snapshot.Observations,
        Protocols = snapshot.Protocols.Count,
        FirstSeen = snapshot.FirstSeen,
        LastSeen = snapshot.LastSeen,
        LastChanged = snapshot.LastChanged,
        Alerts = snapshot.Alerts,
    };

    public static HostView Describe(string hostId, HostImageState state, BaselineOptions options)
    {
        var view = new HostView
        {
            HostId = hostId,
            FirstSeen = state.FirstSeen,
            LastSeen = state.LastSeen,
            Observations = state.Observations,
            BucketStart = state.Bucket is { } bucket ? bucket * options.BucketWidth.Ticks * 100 : 0,
            BucketBytesSent = state.BucketSent,
            BucketBytesReceived = state.BucketReceived,
        };
        view.Protocols.Add(state.Protocols.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Describe(p.Key, new ProtocolCount(p.Value, 0))));
        view.RecentBucketsAnomalous.Add(state.History.Flags());
        return view;
    }

    public static string Maturity(ProfileSnapshot snapshot, BaselineOptions options) => snapshot.IsMature(options) ? "mature" : "learning";

    private static VolumeStatistics Describe(LogVolumeStatistics statistics, BaselineOptions options) => new()
    {
        Samples = statistics.Count,
        MeanLog = statistics.Mean,
        StddevLog = statistics.StdDev,
        TypicalBytes = statistics.TypicalBytes,
        AnomalyThresholdBytes = statistics.ThresholdBytes(options.VolumeSigma, options.MinLogStdDev, options.VolumeFloorBytes),
    };

    private static ProtocolUse Describe(string signature, ProtocolCount count, ProtocolAcceptance? accepted = null)
    {
        var use = new ProtocolUse { Signature = signature, Count = count.Count, FirstSeen = count.FirstSeen };
        if (accepted is not null)
        {
            use.AcceptedAt = accepted.At;
            use.AcceptedReason = accepted.Reason;
            use.AcceptedBy = accepted.By;
        }

        if (ProtocolSignature.TryParse(signature, out var parsed))
        {
            use.Transport = parsed.Transport;
            use.Protocol = parsed.Protocol;
            use.PortClass = PortClasses.Text(parsed.PortClass);
        }

        return use;
    }
}
