using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Activities;

/// <summary>softwareupdated (root) checking Apple's catalog and, now and then, staging an update under /Library/Updates.</summary>
internal static class SoftwareUpdateCheck
{
    public static IEnumerable<TelemetryEvent> Run(ActivityContext c)
    {
        var daemon = c.Resident(ResidentKind.SoftwareUpdate);
        c.WaitMillis(10, 2000);
        foreach (var e in Traffic.Exchange(c, daemon, "swscan.apple.com", c.Rng.Between(1_000L, 3_000L), c.Rng.Between(200_000L, 2_000_000L)))
        {
            yield return e;
        }

        if (c.Rng.Chance(0.2))
        {
            var size = c.Rng.Between(20_000_000L, 900_000_000L);
            c.WaitSeconds(1, 10);
            foreach (var e in Traffic.Exchange(c, daemon, "swdist.apple.com", c.Rng.Between(2_000L, 8_000L), size))
            {
                yield return e;
            }

            yield return c.CreateFile(daemon, $"/Library/Updates/{c.Rng.Between(52, 72)}-{c.Rng.Between(10000, 99999)}/InstallAssistant.pkg", size, FileHeaders.Xar);
        }
    }
}
