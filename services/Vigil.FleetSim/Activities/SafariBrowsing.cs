using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>
/// A Safari session: WebKit's XPC helpers start under launchd on Safari's behalf, the content process loads
/// its Apple frameworks, the networking process fetches pages, and sometimes a document lands in ~/Downloads.
/// </summary>
internal static class SafariBrowsing
{
    public static IEnumerable<TelemetryEvent> Run(ActivityContext c)
    {
        var safari = c.Resident(ResidentKind.Safari);
        var content = c.Spawn(c.Launchd, Images.WebContent, [Images.WebContent.Path], "/", c.User, effectiveParent: safari);
        foreach (var e in HelperStartsAndLoadsFrameworks(c, content))
        {
            yield return e;
        }

        var networking = c.Spawn(c.Launchd, Images.WebNetworking, [Images.WebNetworking.Path], "/", c.User, effectiveParent: safari);
        c.WaitMillis(5, 80);
        yield return c.Exec(networking);

        var pages = c.Rng.Between(1, 4);
        for (var i = 0; i < pages; i++)
        {
            c.WaitSeconds(0.2, 20);
            foreach (var e in Traffic.Exchange(c, networking, c.Rng.Pick(Websites.Popular), c.Rng.Between(2_000L, 40_000L), c.Rng.Between(30_000L, 3_000_000L)))
            {
                yield return e;
            }

            if (c.Rng.Chance(0.4))
            {
                foreach (var e in Traffic.Exchange(c, networking, c.Rng.Pick(Websites.Subresources), c.Rng.Between(800L, 4_000L), c.Rng.Between(10_000L, 400_000L)))
                {
                    yield return e;
                }
            }
        }

        if (c.Rng.Chance(0.15))
        {
            var document = c.Rng.Pick(Websites.Documents);
            c.WaitSeconds(1, 10);
            yield return c.CreateFile(safari, $"{c.Home}/Downloads/{document.Name}", c.Rng.Between(document.MinSize, document.MaxSize), document.Header, quarantined: true);
        }

        c.WaitSeconds(5, 120);
        yield return c.Exit(content);
        yield return c.Exit(networking);
    }

    /// <summary>com.apple.WebKit.WebContent starting and loading WebKit and JavaScriptCore, all Apple-signed.</summary>
    public static IEnumerable<TelemetryEvent> HelperStartsAndLoadsFrameworks(ActivityContext c, SimProcess content)
    {
        yield return c.Exec(content);
        c.WaitMillis(8, 120);
        yield return c.LoadLibrary(content, Images.WebKitFramework);
        c.WaitMillis(1, 30);
        yield return c.LoadLibrary(content, Images.JavaScriptCore);
    }
}
