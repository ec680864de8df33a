using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Correlator;

/// <summary>
/// Releases held-back events when they are due (see <see cref="CorrelationHandler.ReleaseQuietHostsAsync"/>): it wakes
/// at the next state's due time, and at least every <see cref="CorrelatorOptions.QuietHostScanInterval"/> to pick up
/// states held since it went to sleep. While batches with relevant events arrive, the handler releases what fell due
/// with each batch, and a pass here leaves it to them (see <see cref="CorrelationHandler.BatchReleaseGrace"/>); it is
/// what releases the states of a correlator whose batches stopped.
/// </summary>
public sealed class QuietHostRelease(CorrelationHandler handler, CorrelatorOptions options, TimeProvider clock, ILogger<QuietHostRelease> logger) : BackgroundService
{
    // A floor on the sleep, so states due close together are released in one pass rather than one wake-up each. Each
    // pass takes the handler's lock and costs a Redis round trip; with 5 ms, a busy correlator (states due every few
    // milliseconds) ran up to 200 passes a second, more round trips than its batches, and its consume loop waited on
    // the lock behind them. 50 ms delays a watermark release by at most that, against a lateness of seconds.
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(50);

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
