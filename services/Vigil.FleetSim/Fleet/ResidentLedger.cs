namespace Vigil.FleetSim.Fleet;

/// <summary>
/// Which long-lived processes each host has already launched in this run: one bit per host and kind, in pages
/// allocated only for hosts that were active, so a fleet of millions costs nothing up front.
/// </summary>
internal sealed class ResidentLedger
{
    private const int KindsPerHost = 16;
    private const int HostsPerPage = 4096;
    private const int WordsPerPage = HostsPerPage * KindsPerHost / 64;

    private readonly Dictionary<int, ulong[]> pages = [];

    static ResidentLedger()
    {
        if (Enum.GetValues<ResidentKind>().Length > KindsPerHost)
        {
            throw new InvalidOperationException($"ResidentLedger holds at most {KindsPerHost} resident kinds per host.");
        }
    }

    /// <summary>Marks the resident as launched; true when it was not before (so the caller must emit its exec).</summary>
    public bool MarkLaunched(int hostIndex, ResidentKind kind)
    {
        var pageIndex = hostIndex / HostsPerPage;
        if (!pages.TryGetValue(pageIndex, out var page))
        {
            page = new ulong[WordsPerPage];
            pages[pageIndex] = page;
        }

        var bit = ((hostIndex % HostsPerPage) * KindsPerHost) + (int)kind;
        var mask = 1UL << (bit & 63);
        ref var word = ref page[bit >> 6];
        if ((word & mask) != 0)
        {
            return false;
        }

        word |= mask;
        return true;
    }
}
