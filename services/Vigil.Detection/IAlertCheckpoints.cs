namespace Vigil.Detection;

/// <summary>
/// Where a service keeps, per telemetry partition, the alert-topic offsets from which alerts it published but may not
/// have remembered could lie (see <see cref="PublishedAlertLog"/>); read by <see cref="AlertOutbox.TakeOverAsync"/>.
/// </summary>
public interface IAlertCheckpoints
{
    /// <summary>The checkpointed offsets per partition (partitions never checkpointed are absent).</summary>
    Task<IReadOnlyDictionary<int, IReadOnlyDictionary<int, long>>> LoadCheckpointsAsync(IReadOnlyCollection<int> partitions);

    /// <summary>Checkpoints partitions that have none yet.</summary>
    Task SaveCheckpointsAsync(IReadOnlyCollection<int> partitions, IReadOnlyDictionary<int, long> alertCursor);
}
