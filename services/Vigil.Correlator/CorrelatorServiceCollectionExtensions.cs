using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging.Kafka;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.Rules;
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
        var options = UnreadableSettings.Read<CorrelatorOptions>(builder.Configuration, CorrelatorOptions.Section);
        if (string.IsNullOrWhiteSpace(options.Analytic))
        {
            throw new InvalidOperationException("No analytic to run: start with --analytic <pack> (e.g. --analytic an0167) or set Correlator:Analytic.");
        }

        // The analytic picks the consumer group and rule pack while registering, so the section is also read here;
        // the handlers get the validated IOptions value.
        var services = builder.Services;
        services.AddOptions<CorrelatorOptions>().BindConfiguration(CorrelatorOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CorrelatorOptions>, CorrelatorOptionsValidation>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CorrelatorOptions>>().Value);
        services.AddSingleton(TimeProvider.System);
        services.AddVigilKafka(builder.Configuration);
        services.AddVigilRedis(builder.Configuration);
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        // Events are parsed for the fields the pack's rules read; the router completes those a rule can use.
        services.AddSelectiveTelemetryCodec(builder.Configuration, sp => SelectedFields(sp.GetRequiredService<AnalyticPack>()));
        services.AddProtobufCodec<Alert>(builder.Configuration, TopicRole.Alerts);
        services.AddTopicPublisher<Alert>(TopicRole.Alerts);
        services.AddTopicReader<Alert>();
        services.AddSingleton<CorrelatorMetrics>();
        services.AddSingleton(sp => sp.GetRequiredService<CorrelatorMetrics>().ForPack(AnalyticPack.Load(options.Analytic, options.RulesPath ?? AnalyticPack.DefaultDirectory(options.Analytic), new EngineDefaults(options.Lateness) { ReportEarly = options.ReportEarly })));

        // The route: router → owned states (memory, written through to Redis) → engine → outbox → commit.
        services.AddSingleton(sp => new CorrelatorKeys(sp.GetRequiredService<RedisKeys>(), options.Analytic));
        services.AddSingleton<ICorrelationStateStore>(sp => new CorrelationStateStore(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<CorrelatorKeys>(), options, sp.GetRequiredService<CorrelatorMetrics>()));
        services.AddSingleton(sp => new OwnedStates(
            sp.GetRequiredService<ICorrelationStateStore>(), sp.GetRequiredService<TimeProvider>(), options.LiveStateLimit, sp.GetRequiredService<ILogger<OwnedStates>>(), options.AssignmentPreloadLimit));
        services.AddSingleton(sp => new EventRouter(sp.GetRequiredService<AnalyticPack>(), sp.GetRequiredService<CorrelatorMetrics>(), sp.GetRequiredService<ILogger<EventRouter>>()));
        services.AddSingleton(sp => new CorrelationEngine(
            sp.GetRequiredService<AnalyticPack>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<CorrelatorMetrics>(), sp.GetRequiredService<ILogger<CorrelationEngine>>()));
        services.AddSingleton(sp => new SignalBudgetStore(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<RedisKeys>(), options, sp.GetRequiredService<CorrelatorMetrics>()));
        services.AddSingleton(sp => new RedisAlertCheckpoints(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<RedisKeys>(), options.Analytic,
            roundTrip: () => sp.GetRequiredService<CorrelatorMetrics>().RedisRoundTrips.WithLabels(options.Analytic).Inc()));
        services.AddSingleton<IAlertCheckpoints>(sp => sp.GetRequiredService<RedisAlertCheckpoints>());
        services.AddSingleton(sp => new RedisAlertMemory(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<CorrelatorKeys>(),
            sp.GetRequiredService<SignalBudgetStore>(),
            sp.GetRequiredService<RedisAlertCheckpoints>(),
            options,
            sp.GetRequiredService<CorrelatorMetrics>()));
        services.AddSingleton(sp => new AlertOutbox(
            sp.GetRequiredService<ITopicPublisher<Alert>>(),
            new PublishedAlertLog(sp.GetRequiredService<ITopicReader<Alert>>(), sp.GetRequiredService<TopicManifest>(), AlertProducer(options)),
            sp.GetRequiredService<RedisAlertMemory>()));
        services.AddSingleton(sp => new AggregationStore(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<RedisKeys>(),
            options,
            sp.GetRequiredService<CorrelatorMetrics>(),
            sp.GetRequiredService<ILogger<AggregationStore>>()));
        services.AddSingleton(sp => new AlertFactory(sp.GetRequiredService<TimeProvider>(), AlertProducer(options)));
        services.AddKafkaConsumer<TelemetryEvent, CorrelationHandler>("correlator", options.Analytic);
        services.AddHostedService<QuietHostRelease>();
        return builder;
    }

    /// <summary>What the router reads before it completes an event: the fields of the pack's rules (loaded by now).</summary>
    private static FieldSelection SelectedFields(AnalyticPack pack)
    {
        // Taking the pack loads it: its rules' accessors exist before the selection is read from them.
        ArgumentNullException.ThrowIfNull(pack);
        return TelemetrySchemas.FieldsRead();
    }

    private static string AlertProducer(CorrelatorOptions options) => $"correlator/{options.Analytic}";
}
