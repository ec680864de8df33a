using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>A developer at a Terminal: git fetches, curl against APIs, Homebrew installs and Python scripts.</summary>
internal static class DeveloperSession
{
    private static readonly ExecutableImage GitRemoteHttps =
        new("/Library/Developer/CommandLineTools/usr/libexec/git-core/git-remote-https", CodeSignatureFacts.Apple("com.apple.git-remote-https"));

    private static readonly string[] ApiHosts = ["api.github.com", "registry.npmjs.org", "hub.docker.com", "api.stripe.com", "httpbin.org", "status.aws.amazon.com"];

    public static IEnumerable<TelemetryEvent> Run(ActivityContext c)
    {
        if (!c.Host.IsDeveloper)
        {
            return SafariBrowsing.Run(c);
        }

        return Session(c);
    }

    private static IEnumerable<TelemetryEvent> Session(ActivityContext c)
    {
        var terminal = c.Resident(ResidentKind.Terminal);
        var zsh = Shells.TerminalZsh(c, terminal);
        yield return c.Exec(zsh);

        var commands = c.Rng.Between(1, 3);
        for (var i = 0; i < commands; i++)
        {
            c.WaitSeconds(1, 40);
            var roll = c.Rng.NextDouble();
            var steps = roll < 0.4 ? GitFetch(c, zsh)
                : roll < 0.65 ? CurlApi(c, zsh)
                : roll < 0.8 ? Homebrew.Install(c, zsh, intoTemp: c.Rng.Chance(0.2))
                : PythonScript(c, zsh);
            foreach (var e in steps)
            {
                yield return e;
            }
        }

        if (c.Trace is null && c.Rng.Chance(0.15))
        {
            foreach (var e in OpenUnnotarizedTool(c, zsh))
            {
                yield return e;
            }
        }

        c.WaitSeconds(2, 60);
        yield return c.Exit(zsh);
    }

    private static readonly string[] UnnotarizedTools = ["ripgrep-14.1.1-aarch64", "mkcert-v1.4.4-darwin", "hugo_0.145.0_darwin", "k9s_Darwin_arm64"];

    /// <summary>
    /// A developer runs an unnotarized open-source binary downloaded by hand: Gatekeeper blocks it, the user chooses
    /// "Open Anyway" (syspolicyd reports the override), then clears the quarantine attribute with Apple's xattr.
    /// </summary>
    private static IEnumerable<TelemetryEvent> OpenUnnotarizedTool(ActivityContext c, SimProcess zsh)
    {
        var tool = $"{c.Home}/Downloads/{c.Rng.Pick(UnnotarizedTools)}";
        var syspolicyd = c.Spawn(c.Launchd, Images.Syspolicyd, [Images.Syspolicyd.Path], "/", SimUser.Root);
        c.WaitSeconds(5, 60);
        yield return c.Exec(syspolicyd);
        c.WaitMillis(5, 50);
        yield return c.GatekeeperOverride(syspolicyd, tool, CodeSignatureFacts.AdHoc(Path.GetFileName(tool)));
        var xattr = c.Spawn(zsh, Images.Xattr, ["xattr", "-d", "com.apple.quarantine", tool]);
        c.WaitSeconds(2, 30);
        yield return c.Exec(xattr);
        c.WaitMillis(1, 10);
        yield return c.QuarantineRemoved(xattr, tool);
        c.WaitMillis(1, 10);
        yield return c.Exit(xattr);
    }

    private static IEnumerable<TelemetryEvent> GitFetch(ActivityContext c, SimProcess zsh)
    {
        var repository = Shells.Repository(c);
        var verb = c.Rng.Chance(0.5) ? "pull" : "fetch";
        var git = c.Spawn(zsh, Images.Git, ["git", verb], repository, interactive: true);
        yield return c.Exec(git);
        var remote = c.Spawn(git, GitRemoteHttps, ["git-remote-https", "origin", $"https://github.com/acme/{Path.GetFileName(repository)}.git"]);
        c.WaitMillis(5, 40);
        yield return c.Exec(remote);
        var received = c.Rng.Between(4_000L, 8_000_000L);
        foreach (var e in Traffic.Exchange(c, remote, "github.com", c.Rng.Between(1_500L, 9_000L), received))
        {
            yield return e;
        }

        yield return c.Exit(remote);
        c.WaitMillis(5, 80);
        yield return c.ModifyFile(git, $"{repository}/.git/FETCH_HEAD", c.Rng.Between(90L, 400L));
        if (received > 100_000)
        {
            yield return c.CreateFile(git, $"{repository}/.git/objects/pack/pack-{c.Rng.Hex(40)}.pack", received);
        }

        c.WaitMillis(10, 400);
        yield return c.Exit(git);
    }

    private static IEnumerable<TelemetryEvent> CurlApi(ActivityContext c, SimProcess zsh)
    {
        var api = c.Rng.Pick(ApiHosts);
        var curl = c.Spawn(zsh, Images.Curl, ["curl", "-s", "-H", "Accept: application/json", $"https://{api}/v1/status"], interactive: true);
        yield return c.Exec(curl);
        var (sent, received) = Traffic.SmallRequest(c);
        foreach (var e in Traffic.Exchange(c, curl, api, sent, received))
        {
            yield return e;
        }

        yield return c.Exit(curl);
    }

    private static IEnumerable<TelemetryEvent> PythonScript(ActivityContext c, SimProcess zsh)
    {
        var repository = Shells.Repository(c);
        var script = $"{repository}/scripts/{c.Rng.Pick(new[] { "build_report.py", "migrate.py", "lint_config.py", "train.py" })}";
        var python = c.Spawn(zsh, Images.Python3, ["python3", script], repository, interactive: true);
        yield return c.Exec(python);
        c.WaitMillis(20, 120);
        yield return c.LoadScript(python, script);
        var inputs = c.Rng.Between(1, 4);
        for (var i = 0; i < inputs; i++)
        {
            c.WaitMillis(10, 500);
            yield return c.OpenFile(python, $"{repository}/data/input-{i}.csv", c.Rng.Between(10_000L, 5_000_000L));
        }

        if (c.Rng.Chance(0.4))
        {
            foreach (var e in Traffic.Exchange(c, python, "pypi.org", c.Rng.Between(1_000L, 5_000L), c.Rng.Between(20_000L, 900_000L)))
            {
                yield return e;
            }
        }

        c.WaitMillis(100, 5000);
        yield return c.CreateFile(python, $"{repository}/out/result-{c.Rng.Alphanumeric(4)}.json", c.Rng.Between(1_000L, 400_000L));
        yield return c.Exit(python);
    }
}
