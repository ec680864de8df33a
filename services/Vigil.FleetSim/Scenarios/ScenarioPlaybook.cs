using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>Every scenario the simulator can inject, malicious and look-alike, by analytic.</summary>
internal static class ScenarioPlaybook
{
    public const string An0167 = "AN0167";
    public const string An0994 = "AN0994";
    public const string An0425 = "AN0425";
    public const string An1227 = "AN1227";
    public const string InstallerNetwork = "installer-network";

    private static readonly Func<HostProfile, bool> AnyHost = _ => true;

    public static IReadOnlyList<ScenarioPlay> Plays { get; } =
    [
        Malicious("an0167-script-curl-to-tmp", An0167, CurlPayloadDrop.FromScript, AnyHost,
            "A LaunchAgent bash script runs curl, which connects to attacker infrastructure and writes a Mach-O into a temporary or user folder within seconds"),
        Malicious("an0167-office-shell-download", An0167, CurlPayloadDrop.FromOfficeShell, h => h.HasWord,
            "Microsoft Word starts zsh -c, which runs wget (or curl) to download a payload into a temporary or user folder"),
        Benign("an0167-brew-curl-cache", An0167, c => Shelled(c, shell => Homebrew.Install(c, shell, intoTemp: c.Rng.Chance(0.3))), h => h.IsDeveloper,
            "brew install: Homebrew's Ruby runs curl to fetch a bottle from ghcr.io into ~/Library/Caches/Homebrew or a /private/tmp staging folder"),
        Benign("an0167-mdm-curl-own-folder", An0167, MdmCheckIn.CurlDownload, AnyHost,
            "The MDM agent (root) runs curl against its own tenant and saves into its own folder"),

        Malicious("an0994-browser-child-load", An0994, BrowserChildLoad.Run, AnyHost,
            "A browser spawns sh, osascript, python3 or a dropped binary that immediately loads a script or unsigned dylib from a user-writable path"),
        Malicious("an0994-download-executed", An0994, DownloadThenExecute.Run, AnyHost,
            "An unsigned binary written to ~/Downloads or ~/Library/Caches is executed from that path seconds later"),
        Benign("an0994-browser-helper-framework-load", An0994, BrowserChildLoad.HelperLoadsOwnFramework, AnyHost,
            "A browser helper (Google Chrome Helper (Renderer) or com.apple.WebKit.WebContent) starts and loads its own signed framework"),
        Benign("an0994-pkg-opened-in-installer", An0994, DownloadAndInstall.PackageOpenedLater, AnyHost,
            "Safari saves a signed .pkg in ~/Downloads and the user opens it in Installer.app minutes later"),
        Benign("an0994-signed-app-from-downloads", An0994, DownloadAndInstall.SignedAppFromDownloads, AnyHost,
            "A notarized app is unpacked into ~/Downloads and launched seconds later; its signature is trusted"),

        Malicious("an0425-docs-then-http-exfil", An0425, DocumentExfiltration.Run, AnyHost,
            "A python3 script, unsigned binary or curl reads documents and credential stores, then connects out over HTTP (80/8080) or FTP (21)"),
        Benign("an0425-backup-https-upload", An0425, BackupSync.Upload, h => h.Backup != BackupVendor.None,
            "The backup agent (Dropbox, Google Drive or Backblaze, signed) reads documents and uploads them over HTTPS to its vendor"),
        Benign("an0425-word-docs-https-sync", An0425, DocumentEditing.Edit, h => h.HasWord,
            "Microsoft Word opens a document and syncs with Microsoft 365 over HTTPS"),

        Malicious("an1227-automator-python-raw-socket", An1227, AutomationAbuse.AutomatorPythonRawSocket, AnyHost,
            "An Automator workflow's shell step runs python3, which opens a raw TCP socket to an unusual port"),
        Malicious("an1227-osascript-curl-ftp", An1227, AutomationAbuse.OsascriptCurlFtp, AnyHost,
            "osascript drives a shell whose curl uploads an archive over FTP"),
        Malicious("an1227-osascript-curl-bulk-upload", An1227, AutomationAbuse.OsascriptCurlBulkUpload, AnyHost,
            "osascript drives a shell whose curl posts tens of megabytes over HTTPS"),
        Benign("an1227-automator-small-https", An1227, Automation.AutomatorPostsStatus, AnyHost,
            "An Automator workflow's shell step curls a short status over HTTPS to a known service"),
        Benign("an1227-osascript-small-https", An1227, Automation.OsascriptPostsStatus, AnyHost,
            "A user's AppleScript curls a short status over HTTPS to a known service"),

        Malicious("installer-postinstall-curl", InstallerNetwork, InstallerPackage.PostinstallCurl, AnyHost,
            "sudo installer -pkg: the postinstall sh (parent installer, root) pipes curl into sh within seconds"),
        Malicious("installer-package-script-service-curl", InstallerNetwork, InstallerPackage.PackageScriptServiceCurl, AnyHost,
            "Installer.app: the preinstall zsh (parent package_script_service, root) pipes curl into sh within seconds"),
        Benign("installer-postinstall-no-network", InstallerNetwork, InstallerPackage.PostinstallWithoutNetwork, AnyHost,
            "A postinstall sh (parent installer) registers a launch daemon and makes no network connection"),
        Benign("installer-curl-after-window", InstallerNetwork, InstallerPackage.CurlAfterWindow, AnyHost,
            "A postinstall sh runs under package_script_service; the installed daemon's curl (root) connects 45 s to 3 min later"),
    ];

    public static IReadOnlyList<string> AnalyticIds { get; } = [An0167, An0994, An0425, An1227, InstallerNetwork];

    public static ScenarioPlay? Find(string name) => Plays.FirstOrDefault(p => string.Equals(p.Definition.Name, name, StringComparison.OrdinalIgnoreCase));

    private static ScenarioPlay Malicious(string name, string analytic, ActivityScript script, Func<HostProfile, bool> eligible, string description) =>
        new(new ScenarioDefinition(name, analytic, ScenarioLabel.Malicious, description), script, eligible);

    private static ScenarioPlay Benign(string name, string analytic, ActivityScript script, Func<HostProfile, bool> eligible, string description) =>
        new(new ScenarioDefinition(name, analytic, ScenarioLabel.Benign, description), script, eligible);

    /// <summary>Runs <paramref name="inShell"/> in a new Terminal window's zsh.</summary>
    private static IEnumerable<TelemetryEvent> Shelled(ActivityContext c, Func<SimProcess, IEnumerable<TelemetryEvent>> inShell)
    {
        var terminal = c.Resident(ResidentKind.Terminal);
        var zsh = Shells.TerminalZsh(c, terminal);
        yield return c.Exec(zsh);
        foreach (var e in inShell(zsh))
        {
            yield return e;
        }

        c.WaitSeconds(1, 30);
        yield return c.Exit(zsh);
    }
}
