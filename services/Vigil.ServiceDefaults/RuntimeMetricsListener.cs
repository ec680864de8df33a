using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Vigil.ServiceDefaults;

/// <summary>Feeds the runtime's EventCounters and meters into the host's registry from start to stop.</summary>
internal sealed class RuntimeMetricsListener(CollectorRegistry registry) : IHostedService
{
    private IDisposable? eventCounters;
    private IDisposable? meters;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        eventCounters = EventCounterAdapter.StartListening(new EventCounterAdapterOptions { MetricFactory = Metrics.WithCustomRegistry(registry) });
        meters = MeterAdapter.StartListening(new MeterAdapterOptions { Registry = registry });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        eventCounters?.Dispose();
        meters?.Dispose();
        return Task.CompletedTask;
    }
}
