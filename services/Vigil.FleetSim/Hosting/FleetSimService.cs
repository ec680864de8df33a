using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;

namespace Vigil.FleetSim.Hosting;

/// <summary>
/// fleet-sim as a service publishing to Kafka: service defaults (/health/live, /health/ready, /metrics),
/// GET /scenarios lists the catalog, POST /scenarios/{name}[?host=N] injects one now.
/// </summary>
internal static class FleetSimService
{
    public static async Task<int> RunAsync(FleetSimulationOptions options, TelemetryEmitFormat emit, string? groundTruthPath, string[] injections, string[] hostArguments, CancellationToken cancellationToken)
    {
        options.Validate();
        var builder = WebApplication.CreateBuilder(hostArguments);
        builder.AddServiceDefaults(hostArguments);
        builder.Services.AddVigilKafka(builder.Configuration);
        builder.Services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        builder.Services.AddTopicPublisher<TelemetryEvent>(TopicRole.Telemetry);
        await using var groundTruth = groundTruthPath is null ? null : NdjsonGroundTruthSink.Open(groundTruthPath);
        var simulation = new FleetSimulation(options, groundTruth);
        builder.Services.AddSingleton(simulation);
        AddSink(builder.Services, emit);
        builder.Services.AddSingleton<SimulationRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SimulationRunner>());
        builder.Services.AddHealthChecks().AddCheck<SimulationRunner>("simulation", tags: [HealthTags.Ready]);

        await using var app = builder.Build();
        // A setting that cannot work surfaces here, as the OptionsValidationException the command prints as one line.
        app.ValidateSettings();
        app.MapServiceDefaults();
        app.MapGet("/scenarios", () => ScenarioCatalog.All.Select(d => new
        {
            name = d.Name,
            analytic = d.AnalyticId,
            label = d.Label.ToString().ToLowerInvariant(),
            description = d.Description,
        }));
        app.MapPost("/scenarios/{name}", (string name, int? host) =>
        {
            try
            {
                var id = simulation.InjectScenario(name, host);
                return Results.Accepted(value: new { id, scenario = name });
            }
            catch (ArgumentException e)
            {
                return Results.BadRequest(new { error = e.Message });
            }
        });

        foreach (var injection in injections)
        {
            Cli.InjectionSpec.Inject(simulation, injection);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return Environment.ExitCode;
    }

    /// <summary>Canonical events go to the telemetry topic; an agent format goes to the raw topic the manifest declares for it.</summary>
    private static void AddSink(IServiceCollection services, TelemetryEmitFormat emit)
    {
        if (emit == TelemetryEmitFormat.Canonical)
        {
            services.AddSingleton<ITelemetrySink, KafkaTelemetrySink>();
            return;
        }

        var format = emit.ToString().ToLowerInvariant();
        services.AddSingleton<ITelemetrySink>(sp =>
        {
            var topic = sp.GetRequiredService<TopicManifest>().RawTopics.FirstOrDefault(t => t.Format == format)
                ?? throw new InvalidOperationException($"--emit {format}: the topic manifest declares no raw topic with format '{format}'.");
            var publisher = new KafkaTopicPublisher<byte[]>(sp.GetRequiredService<KafkaProducerHandle>(), new RawBytesEncoder(), topic.Name);
            var deliveries = new PendingDeliveries(sp.GetRequiredService<ILoggerFactory>().CreateLogger<PendingDeliveries>());
            return emit == TelemetryEmitFormat.Eslogger
                ? new KafkaEsloggerTelemetrySink(publisher, sp.GetRequiredService<ITopicPublisher<TelemetryEvent>>(), deliveries)
                : new KafkaRawTelemetrySink(publisher, RawDocuments.Writer(emit), deliveries);
        });
    }
}
