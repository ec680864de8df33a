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
    /// <summary>A profile from its hash (empty when it has none).</summary>
    public static ProfileSnapshot Profile(ProcessImage image, HashEntry[] entries)
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
