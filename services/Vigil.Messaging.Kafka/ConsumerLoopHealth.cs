using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Readiness of the process's consume loops: ready only while every loop polls, reaches a broker, and
/// makes progress. Not ready while a loop is stalled on a batch that keeps failing, cannot reach any
/// broker, has held no partitions for longer than a rebalance takes while its group has records
/// waiting, or has stopped. Each state is reported by the loop itself, so readiness turns true again
/// as soon as the loop recovers.
/// </summary>
public sealed class ConsumerLoopHealth : IHealthCheck
{
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, LoopStatus> loops = new();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (loops.IsEmpty)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("No consume loop has started yet."));
        }

        var now = DateTimeOffset.UtcNow;
        var problems = loops
            .Where(l => l.Value.State != LoopState.Running || now - l.Value.LastPoll > Stale)
            .Select(l => $"{l.Key}: {l.Value.State}, last poll {l.Value.LastPoll:O}" + (l.Value.Error is null ? string.Empty : $", {l.Value.Error}"))
            .ToArray();
        return Task.FromResult(problems.Length == 0
            ? HealthCheckResult.Healthy($"{loops.Count} consume loop(s) polling.")
            : HealthCheckResult.Unhealthy(string.Join("; ", problems)));
    }

    /// <summary>The last reported state of <paramref name="group"/>'s loop, for tests and diagnostics.</summary>
    public string? StateOf(string group) => loops.TryGetValue(group, out var status) ? status.State.ToString() : null;

    internal void Report(string group, LoopState state, string? error = null) =>
        loops[group] = new LoopStatus(state, DateTimeOffset.UtcNow, error);

    internal enum LoopState
    {
        Starting,
        Running,

        /// <summary>The same batch failed StallAfterFailures times in a row.</summary>
        Stalled,

        /// <summary>No broker connection is up.</summary>
        Unreachable,

        /// <summary>No partitions for longer than a rebalance should take while the group has lag.</summary>
        Unassigned,
        Stopped,
        Faulted,
    }

    private sealed record LoopStatus(LoopState State, DateTimeOffset LastPoll, string? Error);
}
