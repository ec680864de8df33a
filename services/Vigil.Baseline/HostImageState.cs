using System.Globalization;
using StackExchange.Redis;

namespace Vigil.Baseline;

/// <summary>
/// One host's view of one image: when and how it used the network, its current volume bucket, which recent buckets
/// were anomalous, and which alerts are suppressed. Read at the start of a batch, advanced event by event, and
/// written back whole, guarded by the <see cref="Watermark"/> it was read with.
/// </summary>
public sealed class HostImageState
{
    public string StoredWatermark { get; private init; } = string.Empty;

    public Watermark Watermark { get; set; } = Watermark.None;

    public long FirstSeen { get; set; }

    public long LastSeen { get; set; }

    public long Observations { get; set; }

    public Dictionary<string, long> Protocols { get; } = new(StringComparer.Ordinal);

    /// <summary>Protocol signature → event time (ns) until which a repeat of its alert is suppressed.</summary>
    public Dictionary<string, long> SuppressedUntil { get; } = new(StringComparer.Ordinal);

    /// <summary>Index of the current bucket (event time / bucket width), or null before the first byte count.</summary>
    public long? Bucket { get; set; }

    public long BucketSent { get; set; }

    public long BucketReceived { get; set; }

    public BucketHistory History { get; set; }

    /// <summary>A volume alert was raised for the anomalous buckets still in the window: the episode is reported.</summary>
    public bool VolumeAlerted { get; set; }

    /// <summary>Anomalous bucket → the event that made it anomalous, for the evidence of a persistence alert.</summary>
    public SortedDictionary<long, string> BucketEvidence { get; } = [];

    public static HostImageState Parse(HashEntry[] entries, int window)
    {
        var fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        long Long(string name) => fields.TryGetValue(name, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var stored = fields.GetValueOrDefault(ProfileFields.Watermark) ?? string.Empty;
        var state = new HostImageState
        {
            StoredWatermark = stored,
            Watermark = Watermark.Parse(stored),
            FirstSeen = Long(ProfileFields.FirstSeen),
            LastSeen = Long(ProfileFields.LastSeen),
            Observations = Long(ProfileFields.HostObservations),
            Bucket = fields.ContainsKey(ProfileFields.Bucket) ? Long(ProfileFields.Bucket) : null,
            BucketSent = Long(ProfileFields.BucketSent),
            BucketReceived = Long(ProfileFields.BucketReceived),
            History = new BucketHistory(ulong.TryParse(fields.GetValueOrDefault(ProfileFields.History), NumberStyles.Integer, CultureInfo.InvariantCulture, out var bits) ? bits : 0, window),
            VolumeAlerted = Long(ProfileFields.VolumeAlerted) != 0,
        };
        foreach (var (name, value) in fields)
        {
            if (name.StartsWith(ProfileFields.ProtocolPrefix, StringComparison.Ordinal))
            {
                state.Protocols[name[ProfileFields.ProtocolPrefix.Length..]] = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name.StartsWith(ProfileFields.SuppressedPrefix, StringComparison.Ordinal))
            {
                state.SuppressedUntil[name[ProfileFields.SuppressedPrefix.Length..]] = long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        foreach (var item in (fields.GetValueOrDefault(ProfileFields.BucketEvidence) ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && long.TryParse(item.AsSpan(0, equals), NumberStyles.Integer, CultureInfo.InvariantCulture, out var bucket))
            {
                state.BucketEvidence[bucket] = item[(equals + 1)..];
            }
        }

        return state;
    }

    public static HostImageState Empty(int window) => new() { History = new BucketHistory(0, window) };

    /// <summary>Every field of the view, to replace the stored hash (the watermark is written separately, after its check).</summary>
    public List<KeyValuePair<string, string>> ToFields()
    {
        static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
        var fields = new List<KeyValuePair<string, string>>
        {
            new(ProfileFields.FirstSeen, Text(FirstSeen)),
            new(ProfileFields.LastSeen, Text(LastSeen)),
            new(ProfileFields.HostObservations, Text(Observations)),
            new(ProfileFields.BucketSent, Text(BucketSent)),
            new(ProfileFields.BucketReceived, Text(BucketReceived)),
            new(ProfileFields.History, History.Bits.ToString(CultureInfo.InvariantCulture)),
            new(ProfileFields.VolumeAlerted, VolumeAlerted ? "1" : "0"),
        };
        if (Bucket is { } bucket)
        {
            fields.Add(new(ProfileFields.Bucket, Text(bucket)));
        }

        if (BucketEvidence.Count > 0)
        {
            fields.Add(new(ProfileFields.BucketEvidence, string.Join(';', BucketEvidence.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}={e.Value}")))));
        }

        fields.AddRange(Protocols.Select(p => new KeyValuePair<string, string>(ProfileFields.ProtocolPrefix + p.Key, Text(p.Value))));
        fields.AddRange(SuppressedUntil.Select(p => new KeyValuePair<string, string>(ProfileFields.SuppressedPrefix + p.Key, Text(p.Value))));
        return fields;
    }
}
