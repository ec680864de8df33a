using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>Browsing with Firefox, Brave, Edge or Arc where installed: the browser's own process fetches pages.</summary>
internal static class OtherBrowserBrowsing
{
    private static readonly ResidentKind[] Browsers = [ResidentKind.Firefox, ResidentKind.Brave, ResidentKind.Edge, ResidentKind.Arc];

    public static IEnumerable<TelemetryEvent> Run(ActivityContext c)
    {
        var installed = Browsers.Where(c.Host.Has).ToArray();
        return installed.Length == 0 ? SafariBrowsing.Run(c) : Session(c, c.Rng.Pick(installed));
    }

    private static IEnumerable<TelemetryEvent> Session(ActivityContext c, ResidentKind kind)
    {
        var browser = c.Resident(kind);
        var pages = c.Rng.Between(1, 4);
        for (var i = 0; i < pages; i++)
        {
            c.WaitSeconds(0.2, 30);
            foreach (var e in Traffic.Exchange(c, browser, c.Rng.Pick(Websites.Popular), c.Rng.Between(2_000L, 40_000L), c.Rng.Between(30_000L, 3_000_000L)))
            {
                yield return e;
            }
        }
    }
}
