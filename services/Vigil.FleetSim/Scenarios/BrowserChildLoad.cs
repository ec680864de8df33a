using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>
/// AN0994 (a) attack: a browser spawns a shell, osascript, python or a dropped binary, which immediately loads a
/// script or an unsigned dylib from a user-writable path. Evidence: the child's exec, then the load.
/// </summary>
internal static class BrowserChildLoad
{
    public static IEnumerable<TelemetryEvent> Run(ActivityContext c)
    {
        var kind = c.Rng.Pick(c.Host.Browsers);
        var browser = c.Resident(kind);
        var stage = $"{c.Home}/Library/Caches/{Adversary.DisguisedName(c)}";
        var variant = c.Rng.Next(4);
        SimProcess child;
        string loaded;
        switch (variant)
        {
            case 0:
                loaded = $"{stage}/install.sh";
                child = c.Spawn(browser, Images.Sh, ["/bin/sh", loaded], c.Home, c.User);
                break;
            case 1:
                loaded = $"{stage}/.helper.scpt";
                child = c.Spawn(browser, Images.Osascript, ["osascript", loaded], c.Home, c.User);
                break;
            case 2:
                loaded = $"{c.Home}/Downloads/.cache/loader.py";
                child = c.Spawn(browser, Images.Python3, ["python3", loaded], c.Home, c.User);
                break;
            default:
                var dropped = ExecutableImage.UnsignedAt($"{stage}/{Adversary.PayloadName(c)}");
                loaded = $"{c.Home}/Library/Application Support/{Adversary.DisguisedName(c)}/libsysinfo.dylib";
                child = c.Spawn(browser, dropped, [dropped.Path], c.Home, c.User);
                break;
        }

        c.WaitMillis(50, 4000);
        yield return c.Evidence(c.Exec(child));
        c.WaitMillis(5, 600);
        yield return c.Evidence(variant == 3
            ? c.LoadLibrary(child, ExecutableImage.UnsignedAt(loaded))
            : c.LoadScript(child, loaded));

        c.WaitMillis(100, 3000);
        var peer = NetworkPeer.Named(Adversary.Domain(c), 443);
        yield return c.Lookup(child, peer.Domain!);
        c.WaitMillis(5, 80);
        var connection = c.Connect(child, peer, "https");
        yield return c.ConnectionAttempted(connection);
        c.WaitSeconds(1, 20);
        yield return c.Disconnected(connection, c.Rng.Between(2_000L, 30_000L), c.Rng.Between(1_000L, 200_000L));
        c.WaitMillis(10, 2000);
        yield return c.Exit(child);
        c.Describe($"{browser.Name} spawns {child.Name}, which loads {loaded} within a second");
    }

    /// <summary>The look-alike: browser helpers loading their own signed frameworks (Chrome's renderer, or WebKit's content process).</summary>
    public static IEnumerable<TelemetryEvent> HelperLoadsOwnFramework(ActivityContext c)
    {
        if (c.Host.Has(ResidentKind.Chrome) && c.Rng.Chance(0.6))
        {
            var chrome = c.Resident(ResidentKind.Chrome);
            var renderer = ChromeBrowsing.Renderer(c, chrome);
            c.WaitMillis(50, 2000);
            foreach (var e in ChromeBrowsing.HelperStartsAndLoadsFramework(c, renderer))
            {
                yield return e;
            }

            c.WaitSeconds(5, 60);
            yield return c.Exit(renderer);
            c.Describe("Google Chrome starts Google Chrome Helper (Renderer), which loads Google Chrome Framework signed by Google (EQHXZ8M8AV)");
        }
        else
        {
            var safari = c.Resident(ResidentKind.Safari);
            var content = c.Spawn(c.Launchd, Images.WebContent, [Images.WebContent.Path], "/", c.User, effectiveParent: safari);
            c.WaitMillis(50, 2000);
            foreach (var e in SafariBrowsing.HelperStartsAndLoadsFrameworks(c, content))
            {
                yield return e;
            }

            c.WaitSeconds(5, 60);
            yield return c.Exit(content);
            c.Describe("com.apple.WebKit.WebContent starts for Safari and loads Apple's WebKit and JavaScriptCore frameworks");
        }
    }
}
