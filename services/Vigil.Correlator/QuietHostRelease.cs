using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>Periodically releases the held-back events of hosts that went quiet (see <see cref="CorrelationHandler.ReleaseQuietHostsAsync"/>).</summary>
public sealed class QuietHostRelease(CorrelationHandler handler, CorrelatorOptions options, ILogger<QuietHostRelease> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.QuietHostScanInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await handler.ReleaseQuietHostsAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The held events stay in Redis; the next scan or the host's next event retries.
                logger.LogWarning(e, "Releasing quiet hosts failed; retrying on the next scan");
            }
        }
    }
}
