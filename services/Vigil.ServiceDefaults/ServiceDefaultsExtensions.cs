using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
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

    /// <summary>
    /// Adds the VIGIL_-prefixed environment variables and re-applies the command line so it wins over them; a value
    /// that cannot be converted to its option's type fails validation like any bad value (see <see cref="UnreadableSettings"/>).
    /// </summary>
    public static IHostApplicationBuilder AddVigilConfiguration(this IHostApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddEnvironmentVariables("VIGIL_");
        builder.Configuration.AddCommandLine(args);
        builder.Services.AddUnreadableSettingsAsErrors();
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

    /// <summary>
    /// Runs every ValidateOnStart check now, before the host starts: a bad setting then surfaces as the
    /// <see cref="OptionsValidationException"/> a service's Program.cs prints as one line naming the key, instead of the
    /// host first logging "Hosting failed to start" with a stack trace of dependency-injection frames.
    /// </summary>
    public static T ValidateSettings<T>(this T host)
        where T : IHost
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            // Several options classes failed at once: one exception naming every bad key, as for a single class.
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().ToList();
            throw new OptionsValidationException(failures[0].OptionsName, failures[0].OptionsType, failures.SelectMany(f => f.Failures));
        }

        return host;
    }
}
