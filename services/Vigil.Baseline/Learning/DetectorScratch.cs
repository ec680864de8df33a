using Vigil.Baseline.Identity;

namespace Vigil.Baseline.Learning;

/// <summary>
/// The detector's working collections for one batch (its (image, host) groups and per-image contributions), kept by
/// the handler and reused batch after batch. Emptied after each batch; one that grew for a huge batch (a backlog's)
/// is cut back to <see cref="KeptCapacity"/>, so one burst does not pin its tables for the life of the process. The
/// batch's host updates stay until the batch is committed (<see cref="ForgetUpdates"/>): the store writes them after
/// the evaluation.
/// </summary>
internal sealed class DetectorScratch
{
    /// <summary>Entries a table keeps room for between batches: more than a default backlog batch (5 × 1,000 records) holds.</summary>
    public const int KeptCapacity = 16_384;

    public Dictionary<(string Tag, string HostId), int> Groups { get; } = [];

    public List<(string Tag, string HostId)> GroupKeys { get; } = [];

    public Dictionary<string, FleetContribution> Contributions { get; } = new(StringComparer.Ordinal);

    // Update objects for the batches evaluated with this scratch, and how many of them the batch being evaluated took.
    // The handler commits a batch before it evaluates the next with the same scratch, and forgets the batch's updates
    // (ForgetUpdates) once it is committed, so the next batch may make them over; an evaluation without the handler's
    // scratch gets a scratch (and updates) of its own.
    private readonly List<HostUpdate> spareUpdates = [];
    private int updatesRented;

    /// <summary>The batch's updates: valid until <see cref="ForgetUpdates"/> or the next evaluation with this scratch.</summary>
    public List<HostUpdate> Updates { get; } = [];

    /// <summary>Starts a batch's evaluation: the updates of the previous one (committed by now) may be made over.</summary>
    public void BeginBatch()
    {
        Updates.Clear();
        updatesRented = 0;
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

    /// <summary>
    /// Drops what the batch's updates point to (views, contributions, images), once the batch is committed: a spare
    /// update keeps nothing alive until a later batch makes it over (views the store since let go of, a backlog batch's
    /// contributions). Spares beyond what a normal batch uses (<see cref="KeptCapacity"/>) are let go.
    /// </summary>
    public void ForgetUpdates()
    {
        for (var i = 0; i < updatesRented; i++)
        {
            spareUpdates[i].Forget();
        }

        Updates.Clear();
        updatesRented = 0;
        if (spareUpdates.Count > KeptCapacity)
        {
            spareUpdates.RemoveRange(KeptCapacity, spareUpdates.Count - KeptCapacity);
            spareUpdates.TrimExcess();
            Updates.Capacity = KeptCapacity;
        }
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
