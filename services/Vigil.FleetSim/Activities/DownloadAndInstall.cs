using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>
/// A user downloading software with Safari and installing it: a signed .pkg opened in Installer.app minutes
/// later, or a notarized app unpacked by Archive Utility and launched from ~/Downloads.
/// </summary>
internal static class DownloadAndInstall
{
    private static readonly (string File, string Domain)[] Packages =
    [
        ("zoomusInstallerFull.pkg", "zoom.us"), ("GoogleDrive.pkg", "dl.google.com"), ("Microsoft_Teams_installer.pkg", "statics.teams.cdn.office.net"),
        ("Tailscale-1.80.3-macos.pkg", "pkgs.tailscale.com"), ("AWSCLIV2.pkg", "awscli.amazonaws.com"),
    ];

    private static readonly (string App, string Binary, string Domain, CodeSignatureFacts Signature)[] Apps =
    [
        ("Rectangle", "Rectangle", "github.com", CodeSignatureFacts.DeveloperId("Ryan Hanson", "XSYZ3E4B7D", "com.knollsoft.Rectangle")),
        ("Visual Studio Code", "Electron", "update.code.visualstudio.com", CodeSignatureFacts.DeveloperId("Microsoft Corporation", "UBF8T346G9", "com.microsoft.VSCode")),
        ("iTerm", "iTerm2", "iterm2.com", CodeSignatureFacts.DeveloperId("GEORGE NACHMAN", "H7V7XYVQ7D", "com.googlecode.iterm2")),
        ("Obsidian", "Obsidian", "github.com", CodeSignatureFacts.DeveloperId("Dynalist Inc.", "6JSW4SJWN9", "md.obsidian")),
    ];

    public static IEnumerable<TelemetryEvent> Run(ActivityContext c) => c.Rng.Chance(0.5) ? PackageOpenedLater(c) : SignedAppFromDownloads(c);

    /// <summary>A signed .pkg saved by Safari and opened in Installer.app two to ten minutes later.</summary>
    public static IEnumerable<TelemetryEvent> PackageOpenedLater(ActivityContext c)
    {
        var safari = c.Resident(ResidentKind.Safari);
        var finder = c.Resident(ResidentKind.Finder);
        var (file, domain) = c.Rng.Pick(Packages);
        var path = $"{c.Home}/Downloads/{file}";
        var size = c.Rng.Between(20_000_000L, 300_000_000L);
        foreach (var e in Traffic.Exchange(c, safari, domain, c.Rng.Between(1_000L, 3_000L), size))
        {
            yield return e;
        }

        yield return c.CreateFile(safari, path, size, FileHeaders.Xar, quarantined: true);
        c.WaitSeconds(120, 600);
        var installer = c.Spawn(c.Launchd, Images.InstallerApp, [Images.InstallerApp.Path, path], "/", c.User, effectiveParent: finder);
        yield return c.Exec(installer);
        c.WaitMillis(50, 400);
        yield return c.OpenFile(installer, path, size);
        c.WaitSeconds(20, 90);
        yield return c.Exit(installer);
        c.Describe($"Safari saves the signed package {path}; the user opens it in Installer.app minutes later");
    }

    /// <summary>A notarized app unpacked from a zip in ~/Downloads and launched seconds later; its signature is trusted.</summary>
    public static IEnumerable<TelemetryEvent> SignedAppFromDownloads(ActivityContext c)
    {
        var safari = c.Resident(ResidentKind.Safari);
        var finder = c.Resident(ResidentKind.Finder);
        var (app, binary, domain, signature) = c.Rng.Pick(Apps);
        var archive = $"{c.Home}/Downloads/{app.Replace(" ", "", StringComparison.Ordinal)}.zip";
        var archiveSize = c.Rng.Between(5_000_000L, 150_000_000L);
        foreach (var e in Traffic.Exchange(c, safari, domain, c.Rng.Between(1_000L, 3_000L), archiveSize))
        {
            yield return e;
        }

        yield return c.CreateFile(safari, archive, archiveSize, FileHeaders.Zip, quarantined: true);
        c.WaitSeconds(2, 30);
        var unarchiver = c.Spawn(c.Launchd, Images.ArchiveUtility, [Images.ArchiveUtility.Path, archive], "/", c.User, effectiveParent: finder);
        yield return c.Exec(unarchiver);
        c.WaitMillis(20, 200);
        yield return c.OpenFile(unarchiver, archive, archiveSize);
        var executable = $"{c.Home}/Downloads/{app}.app/Contents/MacOS/{binary}";
        c.WaitMillis(200, 3000);
        yield return c.CreateFile(unarchiver, executable, archiveSize * 2, FileHeaders.UniversalMachO, quarantined: true);
        c.WaitMillis(50, 500);
        yield return c.Exit(unarchiver);
        c.WaitSeconds(2, 10);
        var launched = c.Spawn(c.Launchd, new ExecutableImage(executable, signature), [executable], "/", c.User, effectiveParent: finder);
        yield return c.Exec(launched);
        var (sent, received) = Traffic.SmallRequest(c);
        c.WaitSeconds(1, 5);
        foreach (var e in Traffic.Exchange(c, launched, domain, sent, received))
        {
            yield return e;
        }

        c.Describe($"Archive Utility unpacks {app}.app into ~/Downloads and the user launches {executable}, notarized by {signature.TeamId}");
    }
}
