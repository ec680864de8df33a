using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;

namespace Vigil.Cli;

/// <summary>`vigil telemetry tail`: follows the telemetry topic as its own consumer group and prints what arrives.</summary>
public static class TelemetryTailCommand
{
    public const string Usage =
        "vigil telemetry tail [--bootstrap <host:port,...>] [--format events|ids|summary] [--group <consumer group>] [--Kafka:<setting>=<value> ...]";

    private static readonly string[] KnownOptions = ["bootstrap", "format", "group"];

    public static async Task<int> RunAsync(CliArguments args)
    {
        var unknown = args.UnknownOptions(KnownOptions).ToArray();
        if (unknown.Length > 0 || !Enum.TryParse<TailFormat>(args.Option("format") ?? "events", ignoreCase: true, out var format))
        {
            await Console.Error.WriteLineAsync(unknown.Length > 0 ? $"Unknown option --{unknown[0]}." : $"Unknown format '{args.Option("format")}'.");
            await Console.Error.WriteLineAsync($"Usage: {Usage}");
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
        builder.Services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        builder.Services.AddSingleton(new TelemetryTailPrinter(format, Console.Out));
        builder.Services.AddKafkaConsumer<TelemetryEvent, TelemetryTailPrinter>("telemetry-tail");
        await builder.Build().RunAsync();
        return 0;
    }
}
