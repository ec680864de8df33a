using Vigil.Detection;

namespace Vigil.Correlator.UnitTests.Support;

/// <summary>
/// An alert memory in memory with the correlator's semantics (windows on the wall clock: a batch's opener covers the
/// rest of it), keeping the checkpoint per partition like Redis does; can be made to fail, as a crash before the commit.
/// </summary>
internal sealed class RememberingMemory : IAlertMemory, IAlertCheckpoints
{
    public HashSet<string> Remembered { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string, string), long> Windows { get; } = [];

    public Dictionary<int, IReadOnlyDictionary<int, long>> Checkpoints { get; } = [];

    public bool FailRemember { get; set; }

    public ValueTask<IReadOnlyDictionary<string, AlertDrop>> FindRepeatsAsync(IReadOnlyList<PendingAlert> candidates) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, AlertDrop>>(candidates
            .Where(c => Remembered.Contains(c.Alert.Id) || (c.SuppressionScope is { } s && Windows.ContainsKey(s)))
            .ToDictionary(c => c.Alert.Id, c => Remembered.Contains(c.Alert.Id) ? AlertDrop.Duplicate : AlertDrop.Suppressed));

    public bool Covers(PendingAlert opener, PendingAlert later) => true;

    public ValueTask<IReadOnlyList<PendingAlert>> TakeBudgetAsync(IReadOnlyList<PendingAlert> fresh) => ValueTask.FromResult(fresh);

    public ValueTask RememberAsync(IReadOnlyList<PendingAlert> published, IReadOnlyList<PendingAlert> suppressed, IReadOnlyCollection<int> partitions, IReadOnlyDictionary<int, long> checkpoint)
    {
        if (FailRemember)
        {
            throw new InvalidOperationException("The process died before its commit.");
        }

        foreach (var alert in published)
        {
            Remembered.Add(alert.Alert.Id);
            if (alert.SuppressionScope is { } scope)
            {
                Windows[scope] = 0;
            }
        }

        foreach (var alert in suppressed)
        {
            if (alert.SuppressionScope is { } scope && Windows.ContainsKey(scope))
            {
                Windows[scope]++;
            }
        }

        foreach (var partition in partitions)
        {
            Checkpoints[partition] = new Dictionary<int, long>(checkpoint);
        }

        return ValueTask.CompletedTask;
    }

    public Task<IReadOnlyDictionary<int, IReadOnlyDictionary<int, long>>> LoadCheckpointsAsync(IReadOnlyCollection<int> partitions) =>
        Task.FromResult<IReadOnlyDictionary<int, IReadOnlyDictionary<int, long>>>(Checkpoints.Where(c => partitions.Contains(c.Key)).ToDictionary());

    public Task SaveCheckpointsAsync(IReadOnlyCollection<int> partitions, IReadOnlyDictionary<int, long> alertCursor)
    {
        foreach (var partition in partitions)
        {
            Checkpoints[partition] = new Dictionary<int, long>(alertCursor);
        }

        return Task.CompletedTask;
    }
}
