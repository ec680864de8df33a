using System.Runtime.InteropServices;
using Vigil.Contracts.Telemetry;

namespace Vigil.Baseline.Identity;

/// <summary>
/// Processes remembered from the events this consumer sees, so a network event's chain can be followed past the
/// parent it names itself. A host's events all arrive at one consumer, so a local, bounded memory is enough:
/// it costs no Redis round trip, and the oldest entries are forgotten first.
/// </summary>
public sealed class ProcessChainCache(int capacity)
{
    // Sized once for the bound: a consumer's cache fills up to it within minutes of a fleet's process starts, and growing
    // there rehashed and copied tables of up to the whole bound on the way, batch after batch.
    // One more than the bound: an entry is added before the oldest leaves.
    private readonly Dictionary<string, ChainLink> links = new(capacity < int.MaxValue ? capacity + 1 : capacity, StringComparer.Ordinal);
    private readonly Queue<string> order = new(capacity);

    public int Count => links.Count;

    /// <summary>Remembers the process of <paramref name="e"/> and its parent, as far as the event describes them.</summary>
    public void Remember(TelemetryEvent e)
    {
        if (e.Process is not { } process)
        {
            return;
        }

        Remember(LinkOf(process));
        if (capacity > 0 && process.Parent is { EntityId.Length: > 0 } parent)
        {
            // One lookup: a parent already known keeps what is known of it (an exec event of its own knows more).
            ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(links, parent.EntityId, out var exists);
            if (!exists)
            {
                known = LinkOf(parent);
                Added(parent.EntityId);
            }
        }
    }

    public ChainLink? Find(string entityId) => entityId.Length > 0 && links.TryGetValue(entityId, out var link) ? link : null;

    public static ChainLink LinkOf(Process process) => new(
        process.EntityId,
        process.Name.Length > 0 ? process.Name : Path.GetFileName(process.Executable),
        process.Executable,
        process.Parent?.EntityId ?? string.Empty,
        process.Ext?.EffectiveParent?.EntityId ?? string.Empty);

    private void Remember(ChainLink link)
    {
        if (capacity == 0 || link.EntityId.Length == 0)
        {
            return;
        }

        // One lookup per process start, where a look-up, an insertion and the eviction check each hashed the id (a
        // process start is a good part of a fleet's events, and the table is as large as the bound).
        ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(links, link.EntityId, out var exists);
        if (exists)
        {
            // An exec event knows more (its parents) than a parent summary; keep what is known.
            known = link with
            {
                ParentEntityId = link.ParentEntityId.Length > 0 ? link.ParentEntityId : known!.ParentEntityId,
                EffectiveParentEntityId = link.EffectiveParentEntityId.Length > 0 ? link.EffectiveParentEntityId : known!.EffectiveParentEntityId,
            };
            return;
        }

        known = link;
        Added(link.EntityId);
    }

    /// <summary>Over the bound with a just added entry, forgets the oldest ones (never the one just added), then queues it.</summary>
    private void Added(string entityId)
    {
        while (links.Count > capacity && order.TryDequeue(out var oldest))
        {
            links.Remove(oldest);
        }

        order.Enqueue(entityId);
    }
}
