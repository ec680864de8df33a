using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Vigil.Baseline.Storage;

/// <summary>
/// Checks, with or without traffic, that Redis still holds the baseline's memory: every
/// <see cref="BaselineOptions.MemoryCheckInterval"/> and as soon as the Redis connection is restored, the generation
/// marker (<see cref="BaselineGeneration"/>: a Redis that came back empty is reported as lost memory), then a slice
/// of the listing index's profiles (<see cref="BaselineStore.SweepProfilesAsync"/>: a profile evicted on its own is
/// reported even if its image never returns). Batches check the marker too; this makes the report independent of
/// which images are seen again.
/// </summary>
public sealed class BaselineMemoryWatch(
    IConnectionMultiplexer redis,
    BaselineGeneration generation,
    BaselineStore store,
    BaselineOptions options,
    ILogger<BaselineMemoryWatch> logger) : BackgroundService
{
    private readonly SemaphoreSlim wake = new(0, 1);
    private long sweepFrom;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            var force = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                await CheckAsync(force).ConfigureAwait(false);
                force = await WaitAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            redis.ConnectionRestored -= OnConnectionRestored;
        }
    }

    /// <summary>True when woken by a restored connection rather than by the interval.</summary>
    private async Task<bool> WaitAsync(CancellationToken stoppingToken) =>
        await wake.WaitAsync(options.MemoryCheckInterval, stoppingToken).ConfigureAwait(false);

    private async Task CheckAsync(bool force)
    {
        try
        {
            if (await generation.CheckAsync(force).ConfigureAwait(false))
            {
                // Everything went with the marker: there is no index left to sweep.
                sweepFrom = 0;
                return;
            }

            sweepFrom = await store.SweepProfilesAsync(sweepFrom, options.ProfileSweepSize).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Redis is unreachable: readiness (the Redis health check) says so; the check runs again when it is back.
            logger.LogDebug(e, "Could not check the baseline's memory in Redis; retrying.");
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Interactive)
        {
            return;
        }

        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }
}
