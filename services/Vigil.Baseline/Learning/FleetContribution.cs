using System.Runtime.InteropServices;

namespace Vigil.Baseline.Learning;

/// <summary>
/// What one host's events of a batch add to an image's fleet-wide profile: counts, protocols, destinations, first
/// and last sighting, and volume statistics. Every part merges commutatively (sums, min, max, set and HyperLogLog
/// unions, the parallel variance formula), so consumers can apply contributions in any order.
/// </summary>
public sealed class FleetContribution
{
    public long Observations { get; set; }

    public long Connections { get; set; }

    public long Alerts { get; set; }

    public long FirstSeen { get; private set; } = long.MaxValue;

    public long LastSeen { get; private set; } = long.MinValue;

    public Dictionary<string, ProtocolCount> Protocols { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Destinations { get; } = new(StringComparer.Ordinal);

    public LogVolumeStatistics SentPerConnection { get; set; }

    public LogVolumeStatistics ReceivedPerConnection { get; set; }

    public LogVolumeStatistics SentPerBucket { get; set; }

    public LogVolumeStatistics ReceivedPerBucket { get; set; }

    public bool HasSighting => FirstSeen <= LastSeen;

    public void Sighted(long timestamp)
    {
        FirstSeen = Math.Min(FirstSeen, timestamp);
        LastSeen = Math.Max(LastSeen, timestamp);
    }

    /// <summary>Adds <paramref name="other"/>'s contribution to this one: the sum of both, as the profile would merge them.</summary>
    public void Add(FleetContribution other)
    {
        Observations += other.Observations;
        Connections += other.Connections;
        Alerts += other.Alerts;
        if (other.HasSighting)
        {
            Sighted(other.FirstSeen);
            Sighted(other.LastSeen);
        }

        foreach (var (signature, count) in other.Protocols)
        {
            Protocols[signature] = Protocols.TryGetValue(signature, out var known)
                ? new ProtocolCount(known.Count + count.Count, Math.Min(known.FirstSeen, count.FirstSeen))
                : count;
        }

        Destinations.UnionWith(other.Destinations);
        SentPerConnection = SentPerConnection.Merge(other.SentPerConnection);
        ReceivedPerConnection = ReceivedPerConnection.Merge(other.ReceivedPerConnection);
        SentPerBucket = SentPerBucket.Merge(other.SentPerBucket);
        ReceivedPerBucket = ReceivedPerBucket.Merge(other.ReceivedPerBucket);
    }

    public void AddProtocol(ProtocolSignature signature, long timestamp) => AddProtocol(signature.ToString(), timestamp);

    /// <summary>As <see cref="AddProtocol(ProtocolSignature, long)"/>, by the signature's text.</summary>
    public void AddProtocol(string key, long timestamp)
    {
        // One lookup: a batch adds each observation's protocol, nearly always one already counted.
        ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(Protocols, key, out var known);
        count = known ? new ProtocolCount(count.Count + 1, Math.Min(count.FirstSeen, timestamp)) : new ProtocolCount(1, timestamp);
    }
}
