using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>Readiness check: healthy when every Redis primary answers PING, degraded when the topology differs from Redis:Mode.</summary>
public sealed class RedisHealthCheck(RedisConnector connector) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var ping = await connector.PingAsync(cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object>
            {
                ["latencyMs"] = ping.Latency.TotalMilliseconds,
                ["primaries"] = string.Join(",", ping.Primaries.Select(EndPointCollection.ToString)),
                ["protocol"] = ping.Protocol?.ToString() ?? "unknown",
            };
            return ping.Warning is null
                ? HealthCheckResult.Healthy($"{ping.Primaries.Count} Redis primaries answered PING.", data)
                : HealthCheckResult.Degraded(ping.Warning, data: data);
        }
        catch (RedisException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
        }
    }
}
