using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;

namespace Vigil.FleetSim.Activities;

/// <summary>
/// `brew install`: brew.sh under bash starts Homebrew's Ruby, which runs curl to fetch a bottle from ghcr.io into
/// ~/Library/Caches/Homebrew/downloads (or, for a source build, into a /private/tmp staging folder), then pours it.
/// </summary>
internal static class Homebrew
{
    private static readonly (string Formula, string Version)[] Formulae =
    [
        ("wget", "1.25.0"), ("jq", "1.7.1"), ("node", "23.9.0"), ("awscli", "2.24.20"), ("terraform", "1.11.1"),
        ("ripgrep", "14.1.1"), ("gh", "2.68.1"), ("postgresql@16", "16.8"), ("python@3.13", "3.13.2"), ("kubectl", "1.32.2"),
    ];

    /// <summary>A brew install from <paramref name="shell"/>; <paramref name="intoTemp"/> stages the download in /private/tmp.</summary>
    public static IEnumerable<TelemetryEvent> Install(ActivityContext c, SimProcess shell, bool intoTemp)
    {
        var (formula, version) = c.Rng.Pick(Formulae);
        var prefix = c.Host.BrewPrefix;
        var brew = c.Spawn(shell, Images.Bash, ["/bin/bash", "-p", $"{prefix}/Library/Homebrew/brew.sh", "install", formula], interactive: true);
        c.WaitMillis(200, 3000);
        yield return c.Exec(brew);

        var ruby = c.Spawn(brew, Images.BrewRuby(prefix), ["ruby", "-W1", "--disable=gems,rubyopt", $"{prefix}/Library/Homebrew/brew.rb", "install", formula]);
        c.WaitMillis(30, 200);
        yield return c.Exec(ruby);

        var osTag = c.Host.Architecture == "arm64" ? "arm64_sequoia" : "sequoia";
        var bottle = $"{formula}--{version}.{osTag}.bottle.tar.gz";
        var final = intoTemp
            ? $"/private/tmp/homebrew-{formula}-{c.Rng.Alphanumeric(6)}/{bottle}"
            : $"{c.Home}/Library/Caches/Homebrew/downloads/{c.Rng.Hex(64)}--{bottle}";
        var incomplete = $"{final}.incomplete";
        var url = $"https://ghcr.io/v2/homebrew/core/{formula.Replace('@', '/')}/blobs/sha256:{c.Rng.Hex(64)}";
        var curl = c.Spawn(ruby, Images.Curl,
        [
            "/usr/bin/curl", "--disable", "--cookie", "/dev/null", "--globoff", "--show-error",
            "--user-agent", $"Homebrew/4.4.24 (Macintosh; {c.Host.Architecture} Mac OS X {c.Host.OsVersion}) curl/8.7.1",
            "--header", "Accept-Language: en", "--fail", "--retry", "3", "--location", "--remote-time", "--output", incomplete, url,
        ]);
        c.WaitMillis(300, 2500);
        yield return c.Exec(curl);
        c.WaitMillis(5, 40);
        yield return c.Lookup(curl, "ghcr.io");
        c.WaitMillis(5, 60);
        var connection = c.Connect(curl, NetworkPeer.Named("ghcr.io", 443), "https");
        yield return c.ConnectionAttempted(connection);
        c.WaitMillis(150, 900);
        yield return c.CreateFile(curl, incomplete, 0);
        var size = c.Rng.Between(300_000L, 60_000_000L);
        c.Wait(Traffic.TransferTime(c, size));
        yield return c.ModifyFile(curl, incomplete, size, FileHeaders.Gzip);
        c.WaitMillis(5, 50);
        yield return c.Disconnected(connection, c.Rng.Between(1_500L, 3_000L), size + c.Rng.Between(3_000L, 9_000L));
        c.WaitMillis(1, 20);
        yield return c.Exit(curl);

        c.WaitMillis(10, 100);
        yield return c.RenameFile(ruby, incomplete, final, size);
        c.WaitMillis(500, 4000);
        yield return c.CreateFile(ruby, $"{prefix}/Cellar/{formula}/{version}/INSTALL_RECEIPT.json", c.Rng.Between(900L, 3_000L));
        c.WaitMillis(200, 2000);
        yield return c.Exit(ruby);
        yield return c.Exit(brew);
    }
}
