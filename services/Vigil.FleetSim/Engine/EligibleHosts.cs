using Vigil.FleetSim.Fleet;
using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim.Engine;

/// <summary>Finds a host that can play a scenario (runs the software it needs) without describing the whole fleet.</summary>
internal static class EligibleHosts
{
    private const int RandomAttempts = 64;
    private const int ScanLimit = 100_000;

    public static HostProfile? Find(HostCatalog hosts, ScenarioPlay play, Randomness.DeterministicRandom rng)
    {
        for (var attempt = 0; attempt < RandomAttempts; attempt++)
        {
            var host = hosts.Describe(rng.Next(hosts.Count));
            if (play.Eligible(host))
            {
                return host;
            }
        }

        var start = rng.Next(hosts.Count);
        for (var offset = 0; offset < Math.Min(hosts.Count, ScanLimit); offset++)
        {
            var host = hosts.Describe((start + offset) % hosts.Count);
            if (play.Eligible(host))
            {
                return host;
            }
        }

        return null;
    }
}
