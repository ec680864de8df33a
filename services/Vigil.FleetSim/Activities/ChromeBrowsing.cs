using System.Globalization;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>
/// A Chrome session: Chrome starts a renderer and a network-service helper, each loading Chrome's own signed
/// framework; pages load over HTTPS and downloads arrive as .crdownload files renamed into ~/Downloads.
/// </summary>
internal static class ChromeBrowsing
{
    public static IEnumerable<TelemetryEvent> Run(ActivityContext c)
    {
        if (!c.Host.Has(ResidentKind.Chrome))
        {
            return SafariBrowsing.Run(c);
        }

        return Session(c);
    }

    private static IEnumerable<TelemetryEvent> Session(ActivityContext c)
    {
        var chrome = c.Resident(ResidentKind.Chrome);
        var renderer = Renderer(c, chrome);
        foreach (var e in HelperStartsAndLoadsFramework(c, renderer))
        {
            yield return e;
        }

        var network = c.Spawn(chrome, Images.ChromeHelper,
            [Images.ChromeHelper.Path, "--type=utility", "--utility-sub-type=network.mojom.NetworkService", "--lang=en-US", "--service-sandbox-type=network", $"--seatbelt-client={c.Rng.Between(20, 90)}"]);
        c.WaitMillis(5, 60);
        foreach (var e in HelperStartsAndLoadsFramework(c, network))
        {
            yield return e;
        }

        var pages = c.Rng.Between(1, 5);
        for (var i = 0; i < pages; i++)
        {
            c.WaitSeconds(0.2, 25);
            foreach (var e in Traffic.Exchange(c, network, c.Rng.Pick(Websites.Popular), c.Rng.Between(2_000L, 50_000L), c.Rng.Between(30_000L, 4_000_000L)))
            {
                yield return e;
            }
        }

        if (c.Rng.Chance(0.15))
        {
            var document = c.Rng.Pick(Websites.Documents);
            var partial = $"{c.Home}/Downloads/.com.google.Chrome.{c.Rng.Alphanumeric(6)}";
            var size = c.Rng.Between(document.MinSize, document.MaxSize);
            c.WaitSeconds(1, 10);
            yield return c.CreateFile(chrome, partial, 0);
            c.Wait(Traffic.TransferTime(c, size));
            yield return c.RenameFile(chrome, partial, $"{c.Home}/Downloads/{document.Name}", size);
        }

        c.WaitSeconds(5, 120);
        yield return c.Exit(renderer);
        yield return c.Exit(network);
    }

    public static SimProcess Renderer(ActivityContext c, SimProcess chrome) => c.Spawn(chrome, Images.ChromeRenderer,
    [
        Images.ChromeRenderer.Path, "--type=renderer", "--lang=en-US", "--num-raster-threads=4", "--enable-zero-copy",
        $"--renderer-client-id={c.Rng.Between(5, 400).ToString(CultureInfo.InvariantCulture)}",
        $"--seatbelt-client={c.Rng.Between(20, 90).ToString(CultureInfo.InvariantCulture)}",
    ]);

    /// <summary>A Chrome helper starting and loading Google Chrome Framework, signed by Google (EQHXZ8M8AV).</summary>
    public static IEnumerable<TelemetryEvent> HelperStartsAndLoadsFramework(ActivityContext c, SimProcess helper)
    {
        yield return c.Exec(helper);
        c.WaitMillis(5, 90);
        yield return c.LoadLibrary(helper, Images.ChromeFrameworkLibrary);
    }
}
