using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Vigil.ServiceDefaults;

/// <summary>Registers and maps what every Vigil service exposes: configuration, logs, health, metrics.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Configuration comes from appsettings.json, appsettings.{Environment}.json, environment variables
    /// (plain and VIGIL_-prefixed: VIGIL_Kafka__BootstrapServers sets Kafka:BootstrapServers) and the
    /// command line (--Kafka:BootstrapServers=...), later sources winning.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string[] args)
    {
        builder.AddVigilConfiguration(args);
        builder.AddVigilLogging();
        builder.Services.AddHealthChecks().AddCheck("process", () => HealthCheckResult.Healthy(), [HealthTags.Live]);
        builder.Services.AddVigilRuntimeMetrics();
        return builder;
    }

    /// <summary>Adds the VIGIL_-prefixed environment variables and re-applies the command line so it wins over them.</summary>
    public static IHostApplicationBuilder AddVigilConfiguration(this IHostApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddEnvironmentVariables("VIGIL_");
        builder.Configuration.AddCommandLine(args);
        return builder;
    }

    /// <summary>Maps /health/live, /health/ready and /metrics (the host's own registry, see <see cref="MetricsServiceCollectionExtensions"/>).</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Live) });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready) });
        app.MapMetrics("/metrics", app.Services.GetRequiredService<CollectorRegistry>());
        return app;
    }
}
