namespace Vigil.Baseline.Learning;

/// <summary>
/// The detector's working collections for one batch (its (image, host) groups and per-image contributions), kept by
/// the handler and reused batch after batch. Emptied after each batch; one that grew for a huge batch (a backlog's)
/// is cut back to <see cref="KeptCapacity"/>, so one burst does not pin its tables for the life of the process.
/// </summary>
internal sealed class DetectorScratch
{
    /// <summary>Entries a table keeps room for between batches: more than a default backlog batch (5 × 1,000 records) holds.</summary>
    public const int KeptCapacity = 16_384;

    public Dictionary<(string Tag, string HostId), int> Groups { get; } = [];

    public List<(string Tag, string HostId)> GroupKeys { get; } = [];

    public Dictionary<string, FleetContribution> Contributions { get; } = new(StringComparer.Ordinal);

    public void Clear()
    {
        var large = GroupKeys.Count > KeptCapacity;
        Groups.Clear();
        GroupKeys.Clear();
        Contributions.Clear();
        if (large)
        {
            Groups.TrimExcess(KeptCapacity);
            Contributions.TrimExcess(KeptCapacity);
            GroupKeys.Capacity = KeptCapacity;
        }
    }
}
