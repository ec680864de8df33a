using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging.Kafka;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;

namespace Vigil.Correlator;

/// <summary>Registers a correlator for the analytic named by Correlator:Analytic (or --analytic).</summary>
public static class CorrelatorServiceCollectionExtensions
{
    /// <summary>Command-line switches of the correlator, mapped onto configuration keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--analytic"] = $"{CorrelatorOptions.Section}:{nameof(CorrelatorOptions.Analytic)}",
        ["--rules"] = $"{CorrelatorOptions.Section}:{nameof(CorrelatorOptions.RulesPath)}",
    };

    public static IHostApplicationBuilder AddCorrelator(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(CorrelatorOptions.Section).Get<CorrelatorOptions>() ?? new CorrelatorOptions();
        if (string.IsNullOrWhiteSpace(options.Analytic))
        {
            throw new InvalidOperationException("No analytic to run: start with --analytic <pack> (e.g. --analytic an0167) or set Correlator:Analytic.");
        }

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddVigilKafka(builder.Configuration);
        services.AddVigilRedis(builder.Configuration);
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        services.AddProtobufCodec<Alert>(builder.Configuration, TopicRole.Alerts);
        services.AddTopicPublisher<Alert>(TopicRole.Alerts);
        services.AddTopicReader<Alert>();
        services.AddSingleton(sp => new PublishedAlertLog(
            sp.GetRequiredService<ITopicReader<Alert>>(), sp.GetRequiredService<TopicManifest>(), AlertProducer(options)));
        services.AddSingleton(_ => AnalyticPack.Load(options.Analytic, options.RulesPath ?? AnalyticPack.DefaultDirectory(options.Analytic), new EngineDefaults(options.Lateness) { ReportEarly = true }));
        services.AddSingleton(sp => new CorrelationStore(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<RedisKeys>(),
            options,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CorrelationStore>>()));
        services.AddSingleton(sp => new AggregationStore(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<RedisKeys>(),
            options,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AggregationStore>>()));
        services.AddSingleton(sp => new SignalBudgetStore(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<RedisKeys>(), options));
        services.AddSingleton(sp => new AlertFactory(sp.GetRequiredService<TimeProvider>(), AlertProducer(options)));
        services.AddKafkaConsumer<TelemetryEvent, CorrelationHandler>("correlator", options.Analytic);
        services.AddHostedService<QuietHostRelease>();
        return builder;
    }

    private static string AlertProducer(CorrelatorOptions options) => $"correlator/{options.Analytic}";
}
