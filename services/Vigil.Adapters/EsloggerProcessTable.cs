namespace Vigil.Adapters;

/// <summary>
/// The processes an eslogger adapter has seen start, per host, so later events can carry process arguments and a
/// full <c>process.parent</c>. Bounded twice: each host keeps at most <see cref="PerHostCapacity"/> processes (least
/// recently used go first, so one busy host cannot push out another's), and at most <see cref="MaxHosts"/> hosts are
/// kept (the least recently active host's table goes first). Memory is therefore at most
/// MaxHosts × PerHostCapacity entries. Not thread-safe: one adapter instance serves one consumer.
/// </summary>
public sealed class EsloggerProcessTable
{
    private readonly Dictionary<string, LinkedListNode<HostTable>> hosts = new(StringComparer.Ordinal);
    private readonly LinkedList<HostTable> hostOrder = new();

    public EsloggerProcessTable(int perHostCapacity = 4096, int maxHosts = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perHostCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHosts, 1);
        PerHostCapacity = perHostCapacity;
        MaxHosts = maxHosts;
    }

    public int PerHostCapacity { get; }

    public int MaxHosts { get; }

    /// <summary>Processes dropped because their host's table was full.</summary>
    public long ProcessEvictions { get; private set; }

    /// <summary>Whole host tables dropped because <see cref="MaxHosts"/> hosts were already kept.</summary>
    public long HostEvictions { get; private set; }

    public int HostCount => hosts.Count;

    /// <summary>Processes kept for <paramref name="hostId"/>.</summary>
    public int CountFor(string hostId) => hosts.TryGetValue(hostId, out var node) ? node.Value.Count : 0;

    /// <summary>Remembers a process as the current image of its pid on its host (replacing the previous image).</summary>
    public void Remember(string hostId, EsloggerProcessFacts facts)
    {
        var host = Touch(hostId, create: true)!;
        if (host.Put(facts, PerHostCapacity))
        {
            ProcessEvictions++;
        }
    }

    /// <summary>The process with exactly this audit token (pid and pidversion), if still kept.</summary>
    public EsloggerProcessFacts? Find(string hostId, long pid, long pidVersion)
    {
        var found = Touch(hostId, create: false)?.Get(pid);
        return found is not null && found.PidVersion == pidVersion ? found : null;
    }

    /// <summary>The latest process seen with this pid (for a parent known only by ppid), if still kept.</summary>
    public EsloggerProcessFacts? FindLatest(string hostId, long pid) => Touch(hostId, create: false)?.Get(pid);

    private HostTable? Touch(string hostId, bool create)
    {
        if (hosts.TryGetValue(hostId, out var node))
        {
            hostOrder.Remove(node);
            hostOrder.AddFirst(node);
            return node.Value;
        }

        if (!create)
        {
            return null;
        }

        if (hosts.Count >= MaxHosts)
        {
            var oldest = hostOrder.Last!;
            hostOrder.RemoveLast();
            hosts.Remove(oldest.Value.HostId);
            HostEvictions++;
        }

        node = hostOrder.AddFirst(new HostTable(hostId));
        hosts[hostId] = node;
        return node.Value;
    }

    private sealed class HostTable(string hostId)
    {
        private readonly Dictionary<long, LinkedListNode<EsloggerProcessFacts>> byPid = [];
        private readonly LinkedList<EsloggerProcessFacts> order = new();

        public string HostId { get; } = hostId;

        public int Count => byPid.Count;

        /// <summary>Stores the process; true when another process had to be evicted to make room.</summary>
        public bool Put(EsloggerProcessFacts facts, int capacity)
        {
            if (byPid.TryGetValue(facts.Pid, out var existing))
            {
                order.Remove(existing);
                byPid[facts.Pid] = order.AddFirst(facts);
                return false;
            }

            var evicted = false;
            if (byPid.Count >= capacity)
            {
                byPid.Remove(order.Last!.Value.Pid);
                order.RemoveLast();
                evicted = true;
            }

            byPid[facts.Pid] = order.AddFirst(facts);
            return evicted;
        }

        public EsloggerProcessFacts? Get(long pid)
        {
            if (!byPid.TryGetValue(pid, out var node))
            {
                return null;
            }

            order.Remove(node);
            order.AddFirst(node);
            return node.Value;
        }
    }
}
