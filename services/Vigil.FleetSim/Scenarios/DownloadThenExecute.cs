using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>
/// AN0994 (b) attack: an unsigned binary is written to ~/Downloads or ~/Library/Caches and executed from that
/// very path seconds later. Evidence: the file creation, then the exec whose process.executable equals file.path.
/// </summary>
internal static class DownloadThenExecute
{
    public static IEnumerable<TelemetryEvent> Run(ActivityContext c) => c.Rng.Chance(0.5) ? BrowserDownload(c) : CacheStager(c);

    /// <summary>A fake updater saved by the browser into ~/Downloads and double-clicked a few seconds later.</summary>
    private static IEnumerable<TelemetryEvent> BrowserDownload(ActivityContext c)
    {
        var browser = c.Resident(c.Rng.Pick(c.Host.Browsers));
        var finder = c.Resident(ResidentKind.Finder);
        var path = $"{c.Home}/Downloads/{c.Rng.Pick(new[] { "Zoom_Update", "FlashPlayer_Installer", "ChromeUpdate", "Invoice_Viewer", "Teams_Fix" })}";
        var size = c.Rng.Between(300_000L, 12_000_000L);
        var peer = Adversary.DownloadServer(c, 443);
        var connection = c.Connect(browser, peer, "https");
        c.WaitMillis(10, 500);
        yield return c.ConnectionAttempted(connection);
        c.Wait(Traffic.TransferTime(c, size));
        yield return c.Disconnected(connection, c.Rng.Between(1_000L, 3_000L), size);
        c.WaitMillis(5, 80);
        yield return c.Evidence(c.CreateFile(browser, path, size, FileHeaders.MachO(c.Host.Architecture), quarantined: true));
        c.WaitSeconds(2, 15);
        var payload = c.Spawn(c.Launchd, ExecutableImage.UnsignedAt(path), [path], "/", c.User, effectiveParent: finder);
        yield return c.Evidence(c.Exec(payload));
        foreach (var e in Beacon(c, payload))
        {
            yield return e;
        }

        c.Describe($"{browser.Name} saves the unsigned binary {path}, which is executed seconds later");
    }

    /// <summary>A LaunchAgent python stager writes a binary into ~/Library/Caches and runs it at once.</summary>
    private static IEnumerable<TelemetryEvent> CacheStager(ActivityContext c)
    {
        var script = $"{c.Home}/Library/Application Support/.{Adversary.DisguisedName(c)}/stage.py";
        var python = c.Spawn(c.Launchd, Images.Python3, ["python3", script], "/", c.User);
        yield return c.Exec(python);
        c.WaitMillis(5, 60);
        yield return c.LoadScript(python, script);
        var peer = Adversary.DownloadServer(c, 443);
        var size = c.Rng.Between(200_000L, 6_000_000L);
        var connection = c.Connect(python, peer, "https");
        c.WaitMillis(50, 800);
        yield return c.ConnectionAttempted(connection);
        var path = $"{c.Home}/Library/Caches/{Adversary.DisguisedName(c)}/{Adversary.PayloadName(c)}";
        c.WaitMillis(100, 1500);
        yield return c.Evidence(c.CreateFile(python, path, size, FileHeaders.MachO(c.Host.Architecture)));
        c.Wait(Traffic.TransferTime(c, size));
        yield return c.Disconnected(connection, c.Rng.Between(500L, 2_000L), size);
        c.WaitMillis(200, 5000);
        var payload = c.Spawn(python, ExecutableImage.UnsignedAt(path), [path, "--daemon"], "/", c.User);
        yield return c.Evidence(c.Exec(payload));
        foreach (var e in Beacon(c, payload))
        {
            yield return e;
        }

        yield return c.Exit(python);
        c.Describe($"python3 running {script} writes {path} and executes it seconds later");
    }

    private static IEnumerable<TelemetryEvent> Beacon(ActivityContext c, SimProcess payload)
    {
        c.WaitMillis(200, 3000);
        var peer = NetworkPeer.Named(Adversary.Domain(c), 443);
        yield return c.Lookup(payload, peer.Domain!);
        c.WaitMillis(5, 60);
        var connection = c.Connect(payload, peer, "https");
        yield return c.ConnectionAttempted(connection);
        c.WaitSeconds(1, 10);
        yield return c.Disconnected(connection, c.Rng.Between(1_000L, 20_000L), c.Rng.Between(500L, 10_000L));
    }
}
