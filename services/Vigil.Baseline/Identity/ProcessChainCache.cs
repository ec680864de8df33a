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
    private readonly Dictionary<string, ChainLink> links = new(capacity, StringComparer.Ordinal);
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
        if (process.Parent is { EntityId.Length: > 0 } parent && !links.ContainsKey(parent.EntityId))
        {
            Remember(LinkOf(parent));
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

        if (links.TryGetValue(link.EntityId, out var known))
        {
            // An exec event knows more (its parents) than a parent summary; keep what is known.
            links[link.EntityId] = link with
            {
                ParentEntityId = link.ParentEntityId.Length > 0 ? link.ParentEntityId : known.ParentEntityId,
                EffectiveParentEntityId = link.EffectiveParentEntityId.Length > 0 ? link.EffectiveParentEntityId : known.EffectiveParentEntityId,
            };
            return;
        }

        while (links.Count >= capacity && order.TryDequeue(out var oldest))
        {
            links.Remove(oldest);
        }

        links[link.EntityId] = link;
        order.Enqueue(link.EntityId);
    }
}
