using Vigil.Baseline.Identity;

namespace Vigil.Baseline.Learning;

/// <summary>
/// The detector's working collections for one batch (its (image, host) groups and per-image contributions), kept by
/// the handler and reused batch after batch. Emptied after each batch; one that grew for a huge batch (a backlog's)
/// is cut back to <see cref="KeptCapacity"/>, so one burst does not pin its tables for the life of the process. The
/// batch's host updates stay until the next batch begins: the store writes them after the evaluation.
/// </summary>
internal sealed class DetectorScratch
{
    /// <summary>Entries a table keeps room for between batches: more than a default backlog batch (5 × 1,000 records) holds.</summary>
    public const int KeptCapacity = 16_384;

    public Dictionary<(string Tag, string HostId), int> Groups { get; } = [];

    public List<(string Tag, string HostId)> GroupKeys { get; } = [];

    public Dictionary<string, FleetContribution> Contributions { get; } = new(StringComparer.Ordinal);

    // The update objects of the last batch evaluated with this scratch, and how many of them this batch took so far.
    // The handler commits a batch before it evaluates the next with the same scratch, so the next batch may make them
    // over; an evaluation without the handler's scratch gets a scratch (and updates) of its own.
    private readonly List<HostUpdate> spareUpdates = [];
    private int updatesRented;

    /// <summary>The list of the batch's updates: <see cref="BeginBatch"/> empties it.</summary>
    public List<HostUpdate> Updates { get; } = [];

    /// <summary>Starts a batch's evaluation: the previous batch's updates (committed by now) may be made over.</summary>
    public void BeginBatch()
    {
        Updates.Clear();
        updatesRented = 0;
        if (spareUpdates.Count > KeptCapacity)
        {
            // A backlog's batch made more than a normal batch needs: not kept for the life of the process.
            spareUpdates.RemoveRange(KeptCapacity, spareUpdates.Count - KeptCapacity);
            spareUpdates.TrimExcess();
        }

        if (Updates.Capacity > KeptCapacity)
        {
            Updates.Capacity = KeptCapacity;
        }
    }

    /// <summary>An update for the batch being evaluated: one of an earlier batch's made over, or a new one.</summary>
    public HostUpdate RentUpdate(ProcessImage image, string hostId, Watermark newWatermark, HostImageState state, FleetContribution contribution, string? expectedText, Watermark expectedMark)
    {
        if (updatesRented < spareUpdates.Count)
        {
            return spareUpdates[updatesRented++].Reuse(image, hostId, newWatermark, state, contribution, expectedText, expectedMark);
        }

        var update = new HostUpdate(image, hostId, newWatermark, state, contribution) { ExpectedText = expectedText, ExpectedMark = expectedMark };
        spareUpdates.Add(update);
        updatesRented++;
        return update;
    }

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
