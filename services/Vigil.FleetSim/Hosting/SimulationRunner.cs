using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.FleetSim.Hosting;

/// <summary>Runs the simulation into Kafka for the service's lifetime, and stops the service when a bounded run ends.</summary>
internal sealed class SimulationRunner(
    FleetSimulation simulation,
    ITelemetrySink sink,
    IHostApplicationLifetime lifetime,
    ILogger<SimulationRunner> logger) : BackgroundService, IHealthCheck
{
    private volatile string? failure;
    private volatile bool running;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(failure is not null
            ? HealthCheckResult.Unhealthy(failure)
            : running
                ? HealthCheckResult.Healthy($"{simulation.EventsEmitted} events published.")
                : HealthCheckResult.Unhealthy("The simulation is not running."));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        running = true;
        try
        {
            var summary = await simulation.RunAsync(sink, stoppingToken).ConfigureAwait(false);
            await sink.DrainAsync(stoppingToken).ConfigureAwait(false);
            logger.LogInformation(
                "Simulation ended: {Events} events, {Complete} scenarios complete, {Incomplete} cut short",
                summary.Events, summary.ScenariosCompleted, summary.ScenariosIncomplete);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = e.Message;
            logger.LogCritical(e, "The simulation failed");
            Environment.ExitCode = 1;
        }
        finally
        {
            running = false;
        }

        lifetime.StopApplication();
    }
}
