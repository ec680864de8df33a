using StackExchange.Redis;
using Vigil.Baseline.Learning;
using Vigil.Redis;

namespace Vigil.Baseline.Storage;

/// <summary>
/// A commit's working collections (hosts and their view counts for the index calls, updates grouped by image, the
/// listing-index entries, the pending writes, the script calls' argument arrays and view bytes), reused batch after
/// batch: made anew, the tables and arrays of a batch's ~200 views were a good part of what a commit allocated.
/// Emptied after each commit; tables that grew for a huge batch (a backlog's) are cut back, so one burst does not pin
/// them for the life of the process. Argument arrays and view bytes are reused only after a commit whose writes all
/// completed: a call that failed (a timeout) may still sit in the connection's queue, to be sent from them later.
/// </summary>
internal sealed class CommitScratch(ArgumentArrays argumentArrays)
{
    /// <summary>The view bytes kept between commits; a larger buffer (a backlog's batch) is let go.</summary>
    private const int KeptViewBytes = 1 << 20;

    private readonly List<RedisValue[]> rentedArguments = [];
    private bool writesCompleted;

    /// <summary>
    /// Entries a table keeps room for between batches: more than a default backlog batch holds (5 × 1,000 records), so
    /// a service catching up does not cut its tables back after every batch only to grow them again in the next.
    /// </summary>
    private const int KeptCapacity = 16_384;

    /// <summary>Spare per-image update lists kept, and the room each keeps: about a batch's images of a few updates.</summary>
    private const int SpareLists = 512;

    private const int SpareListCapacity = 64;

    private readonly List<List<HostUpdate>> spareUpdates = [];
    private long[] indexSizes = new long[256];

    public Dictionary<string, int> HostSlots { get; } = new(StringComparer.Ordinal);

    public List<string> HostOrder { get; } = [];

    public List<int> ViewsOf { get; } = [];

    public Dictionary<string, int> ByImage { get; } = new(StringComparer.Ordinal);

    /// <summary>Each image's updates, in order of first sight (lists from <see cref="RentUpdates"/>).</summary>
    public List<List<HostUpdate>> Scripted { get; } = [];

    public List<SortedSetEntry> Seen { get; } = [];

    public List<SortedSetEntry> Changed { get; } = [];

    public List<Task> Writes { get; } = [];

    /// <summary>Where the commit's view watermarks and encodings are written, from <see cref="ViewBytesUsed"/> on.</summary>
    public byte[] ViewBytes { get; set; } = new byte[4096];

    public int ViewBytesUsed { get; set; }

    /// <summary>Arguments that are slices of <see cref="ViewBytes"/>: (call array, index in it, start, end).</summary>
    public List<(RedisValue[] Call, int Index, int Start, int End)> Slices { get; } = [];

    /// <summary>A script call's argument array of at least <paramref name="count"/> arguments, the rest empty strings.</summary>
    public RedisValue[] RentArguments(int count)
    {
        var array = argumentArrays.Rent(count);
        rentedArguments.Add(array);
        return array;
    }

    /// <summary>Sets each slice argument, once the view bytes are all written (the buffer no longer moves).</summary>
    public void AssignSlices()
    {
        var bytes = ViewBytes;
        foreach (var (call, index, start, end) in Slices)
        {
            call[index] = new ReadOnlyMemory<byte>(bytes, start, end - start);
        }
    }

    /// <summary>Every write of the commit completed: its argument arrays and view bytes may serve the next commit.</summary>
    public void WritesCompleted() => writesCompleted = true;

    /// <summary>An empty list for one image's updates, returned by <see cref="Clear"/>.</summary>
    public List<HostUpdate> RentUpdates()
    {
        if (spareUpdates.Count == 0)
        {
            return [];
        }

        var list = spareUpdates[^1];
        spareUpdates.RemoveAt(spareUpdates.Count - 1);
        return list;
    }

    /// <summary>A zeroed array of at least <paramref name="hosts"/> index sizes.</summary>
    public long[] IndexSizes(int hosts)
    {
        if (indexSizes.Length < hosts)
        {
            indexSizes = new long[Math.Max(hosts, indexSizes.Length * 2)];
        }
        else
        {
            Array.Clear(indexSizes, 0, hosts);
        }

        return indexSizes;
    }

    public void Clear()
    {
        if (writesCompleted)
        {
            foreach (var array in rentedArguments)
            {
                argumentArrays.Return(array);
            }
        }
        else if (Slices.Count > 0)
        {
            // Sent (or maybe sent) by a call that did not complete: left to it, and a new buffer for the next commit.
            ViewBytes = new byte[4096];
        }

        rentedArguments.Clear();
        Slices.Clear();
        ViewBytesUsed = 0;
        writesCompleted = false;
        if (ViewBytes.Length > KeptViewBytes)
        {
            ViewBytes = new byte[4096];
        }

        var large = HostOrder.Count > KeptCapacity || Writes.Count > KeptCapacity;
        foreach (var updates in Scripted)
        {
            updates.Clear();
            if (updates.Capacity > SpareListCapacity)
            {
                updates.Capacity = SpareListCapacity;
            }

            if (spareUpdates.Count < SpareLists)
            {
                spareUpdates.Add(updates);
            }
        }

        HostSlots.Clear();
        HostOrder.Clear();
        ViewsOf.Clear();
        ByImage.Clear();
        Scripted.Clear();
        Seen.Clear();
        Changed.Clear();
        Writes.Clear();
        if (large)
        {
            HostSlots.TrimExcess(KeptCapacity);
            ByImage.TrimExcess(KeptCapacity);
            Cap(HostOrder);
            Cap(ViewsOf);
            Cap(Writes);
            Cap(Seen);
            Cap(Changed);
            if (indexSizes.Length > KeptCapacity)
            {
                indexSizes = new long[KeptCapacity];
            }
        }
    }

    private static void Cap<T>(List<T> list)
    {
        if (list.Capacity > KeptCapacity)
        {
            list.Capacity = KeptCapacity;
        }
    }
}
