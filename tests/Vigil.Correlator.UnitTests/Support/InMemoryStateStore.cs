namespace Vigil.Correlator.UnitTests.Support;

/// <summary>
/// The state store in memory, keyed as Redis keys them (by member), each state a hash of named fields (or a blob an
/// earlier version wrote), counting reads, writes and the fields set and deleted; can be made to fail.
/// </summary>
internal sealed class InMemoryStateStore : ICorrelationStateStore
{
    public Dictionary<string, Entry> States { get; } = new(StringComparer.Ordinal);

    public Dictionary<int, HashSet<string>> Held { get; } = [];

    /// <summary>Each partition's handoff: the members its last owner had in memory.</summary>
    public Dictionary<int, List<string>> Handoffs { get; } = [];

    public int KeysRead { get; private set; }

    public int StatesWritten { get; private set; }

    public long FieldsSet { get; private set; }

    public long FieldsDeleted { get; private set; }

    /// <summary>Bytes of field names and values written (a whole blob counts its bytes).</summary>
    public long BytesWritten { get; private set; }

    public bool FailWrites { get; set; }

    public bool FailReads { get; set; }

    /// <summary>Every write call that succeeded, in order: the members of the states it wrote and its held-set changes.</summary>
    public List<(List<string> States, List<HeldChange> Held)> WriteCalls { get; } = [];

    /// <summary>What the store holds for <paramref name="member"/>, as a read returns it.</summary>
    public StoredState Stored(string member) => States[member].ToStored();

    /// <summary>Puts a state as a correlator of an earlier version stored it: one blob.</summary>
    public void PutBlob(string member, byte[] blob, TimeSpan expiry) => States[member] = new Entry { Blob = blob, Expiry = expiry };

    public Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> keys)
    {
        if (FailReads)
        {
            throw new InvalidOperationException("The store is down.");
        }

        KeysRead += keys.Count;
        return Task.FromResult<IReadOnlyList<StoredState?>>(keys.Select(k => States.TryGetValue(k.Member, out var s) ? s.ToStored() : null).ToList());
    }

    public Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
    {
        if (FailWrites)
        {
            throw new InvalidOperationException("The store is down.");
        }

        WriteCalls.Add((states.Select(s => s.Key.Member).ToList(), held.ToList()));

        foreach (var (key, changes, expiry, _) in states)
        {
            StatesWritten++;
            if (changes is null)
            {
                States.Remove(key.Member);
                continue;
            }

            if (changes.Replace || !States.TryGetValue(key.Member, out var entry) || entry.Blob is not null)
            {
                States[key.Member] = entry = new Entry();
            }

            foreach (var (name, value) in changes.Set)
            {
                // A copy: the name and value may be (views of) arrays the engine reuses once the write is stored.
                entry.Fields[Convert.ToBase64String(name)] = new(name.ToArray(), value.ToArray());
                BytesWritten += name.Length + value.Length;
            }

            foreach (var name in changes.Removed)
            {
                entry.Fields.Remove(Convert.ToBase64String(name));
            }

            FieldsSet += changes.Set.Count;
            FieldsDeleted += changes.Removed.Count;
            entry.Expiry = expiry;
        }

        foreach (var change in held)
        {
            if (!Held.TryGetValue(change.Partition, out var members))
            {
                Held[change.Partition] = members = new HashSet<string>(StringComparer.Ordinal);
            }

            if (change.Held)
            {
                members.Add(change.Key.Member);
            }
            else
            {
                members.Remove(change.Key.Member);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(int Partition, string Member)>> ReadHeldAsync(IReadOnlyCollection<int> partitions) =>
        Task.FromResult<IReadOnlyList<(int, string)>>(partitions.SelectMany(p => Held.GetValueOrDefault(p, []).Select(m => (p, m))).ToList());

    public Task WriteHandoffAsync(IReadOnlyDictionary<int, IReadOnlyList<string>> members, TimeSpan expiry)
    {
        foreach (var (partition, list) in members)
        {
            if (list.Count > 0)
            {
                Handoffs[partition] = [.. list];
            }
            else
            {
                Handoffs.Remove(partition);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(int Partition, string Member)>> TakeHandoffAsync(IReadOnlyCollection<int> partitions, int most)
    {
        var taken = partitions.SelectMany(p => Handoffs.GetValueOrDefault(p, []).Take(most).Select(m => (p, m))).ToList();
        foreach (var partition in partitions)
        {
            Handoffs.Remove(partition);
        }

        return Task.FromResult<IReadOnlyList<(int, string)>>(taken);
    }

    /// <summary>One stored state: a hash's fields (by base64 name), or a blob.</summary>
    internal sealed class Entry
    {
        public Dictionary<string, KeyValuePair<byte[], byte[]>> Fields { get; } = new(StringComparer.Ordinal);

        public byte[]? Blob { get; init; }

        public TimeSpan Expiry { get; set; }

        /// <summary>Bytes of every field's name and value (or of the blob).</summary>
        public long Bytes => Blob?.Length ?? Fields.Values.Sum(f => (long)f.Key.Length + f.Value.Length);

        public StoredState ToStored() => Blob is { } blob ? StoredState.OfBlob(blob) : StoredState.OfFields(Fields.Values.ToList());
    }
}
