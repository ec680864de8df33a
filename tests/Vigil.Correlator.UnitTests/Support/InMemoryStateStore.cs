namespace Vigil.Correlator.UnitTests.Support;

/// <summary>The state store in memory, keyed as Redis keys them (by member), counting reads and writes; can be made to fail.</summary>
internal sealed class InMemoryStateStore : ICorrelationStateStore
{
    public Dictionary<string, (byte[] Bytes, TimeSpan Expiry)> States { get; } = new(StringComparer.Ordinal);

    public Dictionary<int, HashSet<string>> Held { get; } = [];

    public int KeysRead { get; private set; }

    public int StatesWritten { get; private set; }

    public bool FailWrites { get; set; }

    public Task<IReadOnlyList<byte[]?>> ReadAsync(IReadOnlyList<StateKey> keys)
    {
        KeysRead += keys.Count;
        return Task.FromResult<IReadOnlyList<byte[]?>>(keys.Select(k => States.TryGetValue(k.Member, out var s) ? s.Bytes : null).ToList());
    }

    public Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held)
    {
        if (FailWrites)
        {
            throw new InvalidOperationException("The store is down.");
        }

        foreach (var (key, bytes, expiry) in states)
        {
            StatesWritten++;
            if (bytes is null)
            {
                States.Remove(key.Member);
            }
            else
            {
                States[key.Member] = (bytes, expiry);
            }
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
}
