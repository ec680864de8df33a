using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace Vigil.ServiceDefaults;

/// <summary>
/// Gives a host its own Prometheus registry: every service's metric classes are created from the
/// <see cref="IMetricFactory"/> registered here, and /metrics serves this registry. Two hosts in one process
/// (tests, benchmarks) therefore count apart, and a test reads a host's own metrics from its container.
/// </summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>The host's <see cref="CollectorRegistry"/> (with process and runtime metrics) and its <see cref="IMetricFactory"/>.</summary>
    public static IServiceCollection AddVigilMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton<CollectorRegistry>(_ =>
        {
            var registry = Metrics.NewCustomRegistry();
            // process_* and dotnet_*, as prometheus-net's default registry shows them.
            DotNetStats.Register(registry);
            return registry;
        });
        services.TryAddSingleton<IMetricFactory>(sp => Metrics.WithCustomRegistry(sp.GetRequiredService<CollectorRegistry>()));
        return services;
    }

    /// <summary>
    /// Also publishes the runtime's EventCounters and System.Diagnostics.Metrics meters (ASP.NET Core, Kestrel,
    /// HttpClient) into the host's registry while the host runs, as the default registry did for a service.
    /// </summary>
    public static IServiceCollection AddVigilRuntimeMetrics(this IServiceCollection services)
    {
        services.AddVigilMetrics();
        if (services.All(d => d.ImplementationType != typeof(RuntimeMetricsListener)))
        {
            services.AddHostedService<RuntimeMetricsListener>();
        }

        return services;
    }
}
