using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Vigil.Baseline.Storage;

/// <summary>
/// Knows when the baseline has lost its memory. A generation marker in Redis is written when the memory
/// begins; if it disappears while this process runs (Redis restarted without persistence, a flush, eviction),
/// every profile went with it: the baseline says so (an error line, vigil_baseline_memory_lost_total, and the
/// marker's reason, which `vigil baseline list` prints), and starts a new generation in which every image is
/// immature again and learns from scratch, rather than quietly treating what it sees next as the normal it
/// always knew. Found missing at start-up, the memory is reported as begun empty (a first start, or a loss
/// while no baseline ran).
/// </summary>
public sealed class BaselineGeneration(IConnectionMultiplexer redis, BaselineKeys keys, TimeProvider clock, BaselineMetrics metrics, ILogger<BaselineGeneration> logger)
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim gate = new(1, 1);
    private string? known;
    private DateTimeOffset lastCheck = DateTimeOffset.MinValue;

    /// <summary>The generation this process works in (null before the first check).</summary>
    public string? Current => known;

    /// <summary>
    /// Checks the marker (at most once a second unless <paramref name="force"/>d, e.g. right after Redis came back);
    /// true when the memory was found lost by this call.
    /// </summary>
    public async Task<bool> CheckAsync(bool force = false)
    {
        var now = clock.GetUtcNow();
        if (!force && known is not null && now - lastCheck < CheckInterval)
        {
            return false;
        }

        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            lastCheck = now;
            var db = redis.GetDatabase();
            var id = await db.HashGetAsync(keys.Generation, "id").ConfigureAwait(false);
            if (id.HasValue)
            {
                if (known is not null && known != id.ToString())
                {
                    // Another replica found the loss first and began the new generation.
                    Lost(id.ToString(), "another replica began a new generation");
                    known = id.ToString();
                    return true;
                }

                known = id.ToString();
                metrics.GenerationStarted.Set(await StartedAsync(db).ConfigureAwait(false));
                return false;
            }

            var lost = known is not null;
            var fresh = Guid.NewGuid().ToString("N");
            var reason = lost ? "memory-lost" : "started-empty";
            // Only one replica begins the generation; the others adopt it.
            if (await db.HashSetAsync(keys.Generation, "id", fresh, When.NotExists).ConfigureAwait(false))
            {
                await db.HashSetAsync(keys.Generation,
                [
                    new HashEntry("started", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                    new HashEntry("reason", reason),
                ]).ConfigureAwait(false);
            }

            var adopted = (await db.HashGetAsync(keys.Generation, "id").ConfigureAwait(false)).ToString();
            metrics.GenerationStarted.Set(now.ToUnixTimeSeconds());
            if (lost)
            {
                Lost(adopted, "the generation marker is gone");
            }
            else
            {
                logger.LogWarning(
                    "The baseline's memory in Redis is empty (generation {Generation} begins now): a first start, or Redis lost its data while no baseline ran. Every image is immature and learns from scratch.",
                    adopted);
            }

            known = adopted;
            return lost;
        }
        finally
        {
            gate.Release();
        }
    }

    private void Lost(string generation, string how)
    {
        metrics.MemoryLost.Inc();
        logger.LogError(
            "The baseline LOST ITS MEMORY: {How} (Redis restarted empty, was flushed, or evicted the baseline's keys). Every profile is gone; every image is immature again and learns from scratch in generation {Generation}, so no new-protocol alerts until profiles mature. Run Redis with persistence (appendonly yes) and maxmemory-policy noeviction for the baseline's keys.",
            how, generation);
    }

    private async Task<double> StartedAsync(IDatabase db)
    {
        var started = await db.HashGetAsync(keys.Generation, "started").ConfigureAwait(false);
        return started.HasValue && double.TryParse(started.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
    }
}
