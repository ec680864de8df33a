using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Endpoint;

namespace Vigil.FleetSim.Scenarios;

/// <summary>The tradecraft of commodity macOS malware: disguised names, staging folders, and infrastructure.</summary>
internal static class Adversary
{
    private static readonly string[] Domains =
    [
        "cdn-appleupdates.net", "mac-sysupdate.top", "icloud-verify-sync.com", "swiftcloud-cdn.org", "driverhub-mac.xyz",
        "safe-docs-share.live", "brewpkg-mirror.info", "zoom-meeting-join.cc",
    ];

    private static readonly string[] DisguisedNames =
    [
        "com.apple.sysmond", "com.google.keystone.agent", "com.adobe.acc.helper", "softwareupdate-helper", "mds-cache", "com.zoom.updater",
    ];

    private static readonly string[] PayloadNames = ["update", "helper", "sysmond", "launcher", "GoogleUpdate", "zoomhelper", "cfprefsd-agent"];

    public static string Domain(ActivityContext c) => c.Rng.Pick(Domains);

    public static string DisguisedName(ActivityContext c) => c.Rng.Pick(DisguisedNames);

    public static string PayloadName(ActivityContext c) => c.Rng.Pick(PayloadNames);

    /// <summary>A download server: a bare VPS address or a look-alike domain, on a web port.</summary>
    public static NetworkPeer DownloadServer(ActivityContext c, int port)
    {
        return c.Rng.Chance(0.5) ? NetworkPeer.Address(Internet.HostileAddress(c.Rng), port) : NetworkPeer.Named(Domain(c), port);
    }

    public static string Url(NetworkPeer peer, string scheme, string path)
    {
        var host = peer.Domain ?? peer.Ip;
        var defaultPort = scheme switch { "https" => 443, "ftp" => 21, _ => 80 };
        return peer.Port == defaultPort ? $"{scheme}://{host}/{path}" : $"{scheme}://{host}:{peer.Port}/{path}";
    }

    public static string ProtocolForPort(int port) => port switch
    {
        443 or 8443 => "https",
        21 => "ftp",
        80 or 8080 => "http",
        _ => "",
    };

    /// <summary>The places AN0167 names for staged downloads: temporary and user-specific folders.</summary>
    public static string StagingPath(ActivityContext c, string name) => c.Rng.Next(6) switch
    {
        0 => $"/tmp/.{name}",
        1 => $"/private/tmp/{name}",
        2 => $"{c.Host.TempDir}/{name}",
        3 => $"/Users/Shared/.{name}",
        4 => $"{c.Home}/Library/Application Support/{DisguisedName(c)}/{name}",
        _ => $"{c.Home}/Downloads/{name}",
    };
}
