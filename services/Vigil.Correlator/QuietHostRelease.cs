using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Correlator;

/// <summary>
/// Releases held-back events when they are due (see <see cref="CorrelationHandler.ReleaseQuietHostsAsync"/>): it wakes
/// at the next state's due time, and at least every <see cref="CorrelatorOptions.QuietHostScanInterval"/> to pick up
/// states held since it went to sleep.
/// </summary>
public sealed class QuietHostRelease(CorrelationHandler handler, CorrelatorOptions options, TimeProvider clock, ILogger<QuietHostRelease> logger) : BackgroundService
{
    // A floor on the sleep, so states due together are released in one pass rather than one wake-up each.
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.QuietHostScanInterval;
        var sleep = interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(sleep, clock, stoppingToken).ConfigureAwait(false);
            sleep = interval;
            try
            {
                if (await handler.ReleaseQuietHostsAsync(interval, stoppingToken).ConfigureAwait(false) is { } next)
                {
                    var untilDue = next - clock.GetUtcNow();
                    sleep = untilDue < MinimumSleep ? MinimumSleep : untilDue < interval ? untilDue : interval;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The held events stay in Redis; the next scan or the host's next event retries.
                logger.LogWarning(e, "Releasing held events failed; retrying on the next scan");
            }
        }
    }
}
