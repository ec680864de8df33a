using Vigil.FleetSim.Randomness;

namespace Vigil.FleetSim.Endpoint;

/// <summary>Stable, plausible addresses for domains (the same on every host), and attacker infrastructure.</summary>
internal static class Internet
{
    // Address blocks of the organisations that operate these domains, so destinations read as they would in real data.
    private static readonly (string Suffix, string Prefix)[] KnownBlocks =
    [
        ("apple.com", "17.253"), ("icloud.com", "17.248"), ("mzstatic.com", "17.253"),
        ("google.com", "142.250"), ("googleapis.com", "142.251"), ("gstatic.com", "142.250"), ("youtube.com", "142.250"),
        ("github.com", "140.82"), ("githubusercontent.com", "185.199"), ("ghcr.io", "140.82"),
        ("microsoft.com", "20.190"), ("office.com", "52.98"), ("office.net", "52.109"), ("live.com", "40.126"),
        ("slack.com", "54.192"), ("slack-edge.com", "54.230"), ("dropbox.com", "162.125"), ("dropboxapi.com", "162.125"),
        ("backblaze.com", "45.11.36"), ("backblazeb2.com", "45.11.37"), ("jamfcloud.com", "52.32"), ("kandji.io", "34.117"),
        ("mosyle.com", "44.219"), ("pypi.org", "151.101"), ("pythonhosted.org", "151.101"), ("brew.sh", "185.199"),
        ("mozilla.org", "34.107"), ("mozilla.net", "34.120"), ("zoom.us", "170.114"), ("wikipedia.org", "208.80.154"),
    ];

    private static readonly string[] CdnPrefixes = ["104.16", "104.18", "151.101", "13.32", "52.84", "23.45", "172.64"];

    private static readonly string[] HostilePrefixes = ["45.9.148", "91.215.85", "185.81.68", "193.42.33", "146.70.124", "89.44.9", "5.252.177"];

    public static string Resolve(string domain)
    {
        var hash = StableHash.Of(domain);
        var prefix = KnownBlocks.FirstOrDefault(b => domain == b.Suffix || domain.EndsWith("." + b.Suffix, StringComparison.Ordinal)).Prefix
            ?? CdnPrefixes[(int)(hash % (ulong)CdnPrefixes.Length)];
        return Complete(prefix, hash);
    }

    /// <summary>A VPS-hosting address of the kind commodity macOS malware talks to.</summary>
    public static string HostileAddress(DeterministicRandom rng) => Complete(rng.Pick(HostilePrefixes), rng.NextUInt64());

    private static string Complete(string prefix, ulong hash)
    {
        var octets = prefix.Count(c => c == '.') + 1;
        var parts = new List<string> { prefix };
        for (var i = octets; i < 4; i++)
        {
            parts.Add(((hash >> (8 * i)) % 253 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return string.Join('.', parts);
    }
}
