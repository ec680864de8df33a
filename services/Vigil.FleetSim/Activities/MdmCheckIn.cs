using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>
/// The device-management agent (root) checking in with its tenant and sometimes running curl to fetch a package
/// or script into its own folder: /Library/Application Support/JAMF/Downloads for Jamf, /private/tmp for Kandji.
/// </summary>
internal static class MdmCheckIn
{
    public static IEnumerable<TelemetryEvent> Run(ActivityContext c) => c.Rng.Chance(0.4) ? CurlDownload(c) : CheckIn(c);

    private static IEnumerable<TelemetryEvent> CheckIn(ActivityContext c)
    {
        var agent = c.Resident(ResidentKind.MdmAgent);
        c.WaitMillis(10, 3000);
        var (sent, received) = Traffic.SmallRequest(c);
        foreach (var e in Traffic.Exchange(c, agent, Domain(c.Host), sent, received))
        {
            yield return e;
        }
    }

    /// <summary>The agent's curl: exec, lookup and connection to the tenant, the file in the agent's folder, exit.</summary>
    public static IEnumerable<TelemetryEvent> CurlDownload(ActivityContext c)
    {
        var agent = c.Resident(ResidentKind.MdmAgent);
        var domain = Domain(c.Host);
        var (folder, file) = c.Host.Mdm switch
        {
            MdmVendor.Jamf => ("/Library/Application Support/JAMF/Downloads", c.Rng.Pick(new[] { "Zoom-6.4.1.pkg", "Slack-4.43.43.pkg", "CrowdStrike-7.21.pkg", "Office-16.94.pkg" })),
            MdmVendor.Kandji => ($"/private/tmp/kandji-{c.Rng.Hex(8)}", c.Rng.Pick(new[] { "audit-script.zsh", "remediation.zsh", "GoogleChrome.pkg" })),
            _ => ("/Library/Application Support/Mosyle/tmp", c.Rng.Pick(new[] { "profile-install.sh", "Firefox-136.0.pkg" })),
        };
        var path = $"{folder}/{file}";
        var url = $"https://{domain}/api/v1/packages/{c.Rng.Hex(12)}/{file}";
        var curl = c.Spawn(agent, Images.Curl, ["/usr/bin/curl", "-s", "-f", "-L", "--connect-timeout", "30", "-o", path, url], "/", SimUser.Root);
        c.WaitMillis(10, 3000);
        yield return c.Exec(curl);
        c.WaitMillis(3, 30);
        yield return c.Lookup(curl, domain);
        c.WaitMillis(3, 60);
        var connection = c.Connect(curl, NetworkPeer.Named(domain, 443), "https");
        yield return c.ConnectionAttempted(connection);
        c.WaitMillis(100, 800);
        var size = file.EndsWith(".pkg", StringComparison.Ordinal) ? c.Rng.Between(5_000_000L, 400_000_000L) : c.Rng.Between(800L, 20_000L);
        yield return c.CreateFile(curl, path, size, file.EndsWith(".pkg", StringComparison.Ordinal) ? FileHeaders.Xar : FileHeaders.ShellScript);
        c.Wait(Traffic.TransferTime(c, size));
        yield return c.Disconnected(connection, c.Rng.Between(900L, 2_500L), size + 4_000);
        c.WaitMillis(1, 20);
        yield return c.Exit(curl);
        if (c.Trace is null && file.EndsWith(".pkg", StringComparison.Ordinal))
        {
            foreach (var e in ManagedInstall(c, agent, file))
            {
                yield return e;
            }
        }

        c.Describe($"{agent.Name} (MDM agent, root) runs curl against its tenant {domain} and saves {path}");
    }

    /// <summary>
    /// What a managed install leaves behind: the vendor's launch daemon registered, the agent granted Full Disk Access
    /// by MDM policy, and the local support account added to the printer-admin group. Every step is done by the
    /// trusted MDM agent, as in a real fleet.
    /// </summary>
    private static IEnumerable<TelemetryEvent> ManagedInstall(ActivityContext c, SimProcess agent, string package)
    {
        var vendor = package[..package.IndexOfAny(['-', '.'])].ToLowerInvariant();
        var label = $"com.{vendor}.updater";
        c.WaitSeconds(5, 40);
        yield return c.LaunchItem(agent, $"/Library/LaunchDaemons/{label}.plist", label,
            [$"/Library/Application Support/{vendor}/{vendor}-updater", "--daemon"], runAtLoad: true, keepAlive: false);

        var tccd = c.Spawn(c.Launchd, Images.Tccd, [Images.Tccd.Path, "system"], "/", SimUser.Root);
        c.WaitMillis(100, 900);
        yield return c.Exec(tccd);
        c.WaitMillis(5, 50);
        yield return c.TccChange(tccd, agent, "SystemPolicyAllFiles", agent.Image.Signature.SigningId, "allowed", "create", "mdm_policy");

        var dseditgroup = c.Spawn(agent, Images.Dseditgroup, [Images.Dseditgroup.Path, "-o", "edit", "-a", "itsupport", "-t", "user", "_lpadmin"], "/", SimUser.Root);
        c.WaitMillis(200, 2000);
        yield return c.Exec(dseditgroup);
        c.WaitMillis(5, 50);
        yield return c.GroupMembership(dseditgroup, "_lpadmin", new SimUser("itsupport", "502", "staff", "20", "/Users/itsupport"), added: true);
        c.WaitMillis(1, 20);
        yield return c.Exit(dseditgroup);
    }

    public static string Domain(HostProfile host) => host.Mdm switch
    {
        MdmVendor.Jamf => $"{host.MdmTenant}.jamfcloud.com",
        MdmVendor.Kandji => $"{host.MdmTenant}.web-api.kandji.io",
        _ => "businessapi.mosyle.com",
    };
}
