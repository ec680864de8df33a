namespace Vigil.Correlator;

/// <summary>
/// The correlator's state at rest, in bytes and expiries only (it never interprets a state): per (rule, host) state
/// a set of named fields (one per pending partial sequence or buffered event, and a header), so a write sets and
/// deletes only the fields a batch changed; and per telemetry partition the set of states holding back events. Each
/// call is one round trip.
/// </summary>
public interface ICorrelationStateStore
{
    /// <summary>What the store holds for each key, in order (null when absent or expired). <paramref name="keys"/> is the caller's, reused after the call completes.</summary>
    Task<IReadOnlyList<StoredState?>> ReadAsync(IReadOnlyList<StateKey> keys);

    /// <summary>
    /// Applies each state's field changes (each state atomically: a crash never leaves half a write) or deletes it,
    /// resets its expiry, and records which states started or stopped holding back events.
    /// </summary>
    Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held);

    /// <summary>The <see cref="StateKey.Member"/>s recorded as holding back events, per telemetry partition.</summary>
    Task<IReadOnlyList<(int Partition, string Member)>> ReadHeldAsync(IReadOnlyCollection<int> partitions);

    /// <summary>
    /// Records, per telemetry partition, the <see cref="StateKey.Member"/>s of the states an owner giving the partition
    /// up had in memory, for the next owner to load as it is assigned; each list replaces an older one (a partition with
    /// an empty list only loses its older one) and expires after <paramref name="expiry"/>.
    /// </summary>
    Task WriteHandoffAsync(IReadOnlyDictionary<int, IReadOnlyList<string>> members, TimeSpan expiry);

    /// <summary>
    /// Takes the handoff lists of <paramref name="partitions"/>: reads at most <paramref name="most"/> members of each
    /// (any of them) and deletes the lists whole.
    /// </summary>
    Task<IReadOnlyList<(int Partition, string Member)>> TakeHandoffAsync(IReadOnlyCollection<int> partitions, int most);
}
