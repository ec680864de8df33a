using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vigil.Agent;

/// <summary>
/// Runs eslogger with the configured event types and feeds every line it prints through the eslogger adapter.
/// eslogger needs root and Full Disk Access for its client; when it exits (or cannot start) it is started again
/// after the restart delay, and the reason is logged.
/// </summary>
internal sealed class EsloggerSource(IOptions<AgentOptions> options, AgentEventSource events, AgentMetrics metrics, ILogger<EsloggerSource> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Eslogger;
        var arguments = settings.Arguments.Count > 0 ? settings.Arguments : [.. EsloggerSettings.DefaultEvents];
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var exit = await ChildProcess.StreamLinesAsync(settings.Executable, arguments, Accept, stoppingToken).ConfigureAwait(false);
                logger.LogWarning("eslogger exited with {ExitCode}; restarting in {Delay}", exit, settings.RestartDelay);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                logger.LogError("eslogger could not run ({Reason}); restarting in {Delay}", e.Message, settings.RestartDelay);
            }

            metrics.SourceRestarts.WithLabels("eslogger").Inc();
            await Task.Delay(settings.RestartDelay, stoppingToken).ConfigureAwait(false);
        }
    }

    private void Accept(string line)
    {
        foreach (var rejection in events.AcceptEsloggerLine(line))
        {
            logger.LogWarning("eslogger line not mapped ({Reason}): {Detail}", rejection.Reason, rejection.Detail);
        }
    }
}
