using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;

namespace Vigil.Cli;

/// <summary>`vigil telemetry tail` and `vigil alerts tail`: follow a topic as the manifest's consumer group for the command and print what arrives.</summary>
public static class TailCommand
{
    public const string TelemetryUsage =
        "vigil telemetry tail [--bootstrap <host:port,...>] [--format events|ids|summary] [--group <consumer group>] [--Kafka:<setting>=<value> ...]";

    public const string AlertsUsage =
        "vigil alerts tail [--bootstrap <host:port,...>] [--format events|ids|json|ecs] [--to-topic <topic>] [--from-beginning] [--group <consumer group>] [--Kafka:<setting>=<value> ...]\n"
        + "  Without --group every partition is read (new alerts, or all with --from-beginning) and nothing is committed, so any number of tails each print every alert once.\n"
        + "  With --group the tail joins that consumer group: tails sharing a group split the partitions, and the group's committed offsets are resumed.";

    private static readonly string[] KnownOptions = ["bootstrap", "format", "group", "to-topic", "from-beginning"];

    public static Task<int> TelemetryAsync(CliArguments args) =>
        RunAsync(args, TelemetryUsage, [TailFormat.Events, TailFormat.Ids, TailFormat.Summary], (services, configuration, format) =>
        {
            services.AddProtobufCodec<TelemetryEvent>(configuration, TopicRole.Telemetry);
            services.AddSingleton(new TelemetryTailPrinter(format, Console.Out));
            services.AddKafkaConsumer<TelemetryEvent, TelemetryTailPrinter>("telemetry-tail");
        });

    public static Task<int> AlertsAsync(CliArguments args) =>
        RunAsync(args, AlertsUsage, [TailFormat.Events, TailFormat.Ids, TailFormat.Json, TailFormat.Ecs], (services, configuration, format) =>
        {
            services.AddProtobufCodec<Alert>(configuration, TopicRole.Alerts);
            if (args.Option("to-topic") is { Length: > 0 } topic)
            {
                // Elastic Security alert documents for Kafka Connect's Elasticsearch sink (see docs/alerts-ecs.md).
                services.AddSingleton(sp => new AlertTailPrinter(
                    TailFormat.Ecs,
                    Console.Out,
                    new KafkaTopicPublisher<string>(sp.GetRequiredService<KafkaProducerHandle>(), new Utf8JsonEncoder(), topic)));
            }
            else
            {
                services.AddSingleton(new AlertTailPrinter(format, Console.Out));
            }

            if (args.Option("group") is not null)
            {
                services.AddKafkaConsumer<Alert, AlertTailPrinter>("alerts-tail");
                return;
            }

            services.AddHostedService(sp => new KafkaTopicFollower<Alert>(
                sp.GetRequiredService<TopicManifest>().Topic(TopicRole.Alerts).Name,
                args.Flag("from-beginning"),
                sp.GetRequiredService<KafkaClientConfigFactory>(),
                sp.GetRequiredService<IRecordDecoder<Alert>>(),
                sp.GetRequiredService<AlertTailPrinter>(),
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<KafkaTopicFollower<Alert>>>()));
        });

    private static async Task<int> RunAsync(
        CliArguments args,
        string usage,
        TailFormat[] formats,
        Action<IServiceCollection, IConfiguration, TailFormat> addConsumer)
    {
        var unknown = args.UnknownOptions(KnownOptions).ToArray();
        if (unknown.Length > 0
            || !Enum.TryParse<TailFormat>(args.Option("format") ?? "events", ignoreCase: true, out var format)
            || !formats.Contains(format))
        {
            await Console.Error.WriteLineAsync(unknown.Length > 0 ? $"Unknown option --{unknown[0]}." : $"Unknown format '{args.Option("format")}'.");
            await Console.Error.WriteLineAsync($"Usage: {usage}");
            return 2;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder([.. args.Configuration]);
        var overrides = new Dictionary<string, string?>
        {
            [LoggingExtensions.StderrKey] = "true",
            [LoggingExtensions.FormatKey] = "simple",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (args.Option("bootstrap") is { } bootstrap)
        {
            overrides["Kafka:BootstrapServers"] = bootstrap;
        }

        if (args.Option("group") is { } group)
        {
            overrides["Kafka:Consumer:GroupId"] = group;
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        builder.AddVigilConfiguration([.. args.Configuration]).AddVigilLogging();
        builder.Services.AddHealthChecks();
        builder.Services.AddVigilKafka(builder.Configuration);
        addConsumer(builder.Services, builder.Configuration, format);
        IHost? built = null;
        try
        {
            // Building binds the logging options, which a --Logging:... value can fail as a --Kafka:... one fails validation.
            built = builder.Build();
            built.ValidateSettings();
        }
        catch (OptionsValidationException e)
        {
            // A value that cannot work: one line naming the key, as the services print it, not a stack trace.
            built?.Dispose();
            await Console.Error.WriteLineAsync($"vigil: configuration error: {string.Join(" ", e.Failures)}");
            return 2;
        }

        using var host = built;
        await host.RunAsync();
        return 0;
    }
}
