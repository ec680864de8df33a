using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Readiness of the process's consume loops: ready while every loop runs and polls the broker.
/// A loop stuck retrying a failing batch still polls, so lag (not readiness) shows that.
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

    internal void Report(string group, LoopState state, string? error = null) =>
        loops[group] = new LoopStatus(state, DateTimeOffset.UtcNow, error);

    internal enum LoopState
    {
        Starting,
        Running,
        Stopped,
        Faulted,
    }

    private sealed record LoopStatus(LoopState State, DateTimeOffset LastPoll, string? Error);
}
