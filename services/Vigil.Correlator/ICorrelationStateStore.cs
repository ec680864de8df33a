namespace Vigil.Correlator;

/// <summary>
/// The correlator's state at rest, in bytes and expiries only (it never interprets a state): per (rule, host) state
/// blobs, and per telemetry partition the set of states holding back events. Each call is one round trip.
/// </summary>
public interface ICorrelationStateStore
{
    /// <summary>The stored bytes of each key, in order (null when absent or expired).</summary>
    Task<IReadOnlyList<byte[]?>> ReadAsync(IReadOnlyList<StateKey> keys);

    /// <summary>Stores (or deletes) the states and records which states started or stopped holding back events.</summary>
    Task WriteAsync(IReadOnlyList<StateWrite> states, IReadOnlyCollection<HeldChange> held);

    /// <summary>The <see cref="StateKey.Member"/>s recorded as holding back events, per telemetry partition.</summary>
    Task<IReadOnlyList<(int Partition, string Member)>> ReadHeldAsync(IReadOnlyCollection<int> partitions);
}
