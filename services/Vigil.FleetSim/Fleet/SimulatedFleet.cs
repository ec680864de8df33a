using Vigil.FleetSim.Randomness;

namespace Vigil.FleetSim.Fleet;

/// <summary>What all activities of one run share: the seed, the host catalog, the id scheme and which residents are up.</summary>
internal sealed class SimulatedFleet
{
    public SimulatedFleet(ulong seed, int hostCount)
    {
        Seed = seed;
        Hosts = new HostCatalog(seed, hostCount);
        Ids = new OpaqueIds(seed);
        Residents = new Residents(Ids);
    }

    public ulong Seed { get; }

    public HostCatalog Hosts { get; }

    public OpaqueIds Ids { get; }

    public ResidentLedger Ledger { get; } = new();

    public Residents Residents { get; }
}
