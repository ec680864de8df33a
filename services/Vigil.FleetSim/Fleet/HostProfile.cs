using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.Fleet;

/// <summary>What a simulated Mac is: identity, OS, its user and which software it runs. Derived from seed and index, never stored.</summary>
internal sealed record HostProfile(
    int Index,
    ulong Key,
    string Id,
    string Name,
    string OsVersion,
    string OsBuild,
    string Architecture,
    string Ip,
    SimUser User,
    string TempDir,
    string AgentId,
    IReadOnlyList<ResidentKind> Browsers,
    bool IsDeveloper,
    MdmVendor Mdm,
    BackupVendor Backup,
    bool HasWord,
    bool HasSlack,
    string MdmTenant)
{
    public const string AgentVersion = "8.17.4";

    /// <summary>Homebrew's prefix, which differs between Apple silicon and Intel Macs.</summary>
    public string BrewPrefix => Architecture == "arm64" ? "/opt/homebrew" : "/usr/local";

    public string Home => User.Home;

    public bool Has(ResidentKind browser) => Browsers.Contains(browser);

    public Host ToProto()
    {
        var host = new Host
        {
            Id = Id,
            Name = Name,
            Hostname = Name,
            Architecture = Architecture,
            Os = new Os { Type = "macos", Name = "macOS", Version = OsVersion, Platform = "macos", Build = OsBuild },
        };
        host.Ip.Add(Ip);
        return host;
    }

    public Agent AgentProto() => new() { Id = AgentId, Type = "endpoint", Version = AgentVersion };
}
