using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vigil.Contracts;

namespace Vigil.Agent;

/// <summary>Samples nettop every interval and buffers the network start/end events the samples imply.</summary>
internal sealed class NetworkSource(IOptions<AgentOptions> options, AgentEventSource events, AgentMetrics metrics, TimeProvider clock, ILogger<NetworkSource> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Network;
        if (!settings.Enabled)
        {
            return;
        }

        var arguments = settings.Arguments.Count > 0 ? settings.Arguments : [.. NetworkSettings.DefaultArguments];
        var tracker = new ConnectionTracker(events.HostId, events.HostName, events.ProcessWithPid);
        using var timer = new PeriodicTimer(settings.Interval, clock);
        do
        {
            try
            {
                var text = await ChildProcess.ReadAllAsync(settings.Executable, arguments, settings.Interval * 4, stoppingToken).ConfigureAwait(false);
                events.Buffer("network", tracker.Observe(NettopSample.Parse(text), EcsTimestamp.ToUnixNanos(clock.GetUtcNow())));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception or IOException)
            {
                metrics.SourceRestarts.WithLabels("network").Inc();
                logger.LogWarning("Network sample failed ({Reason}); trying again next interval", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
