using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Baseline;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.Redis;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;

namespace Vigil.Console;

/// <summary>Builds vigil-console from its command line: what Program runs and what tests host.</summary>
public static class ConsoleApp
{
    public const string Service = "console";

    public const string Usage = "vigil-console [--urls http://127.0.0.1:7420] [--baseline http://127.0.0.1:7411] [--rules <folder>] [--metrics name=http://host:port/metrics ...] [--Console:<setting>=<value>] [--Kafka:...] [--Redis:...]";

    /// <summary>Command-line switches of the console, mapped onto configuration keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--baseline"] = $"{ConsoleOptions.Section}:{nameof(ConsoleOptions.BaselineUrl)}",
        ["--rules"] = $"{ConsoleOptions.Section}:{nameof(ConsoleOptions.RulesPath)}",
    };

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults(args);
        builder.Configuration.AddCommandLine(args, Switches.ToDictionary());
        builder.Configuration.AddInMemoryCollection(MetricsSwitches(args));
        builder.AddConsole();
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapConsole();
        var rules = app.Services.GetRequiredService<RuleCatalog>();
        var options = app.Services.GetRequiredService<ConsoleOptions>();
        app.Logger.LogInformation(
            "Console: {Rules} rule(s) from {Directory}; baseline {Baseline}; {Targets} metrics target(s); triage {Access}",
            rules.Rules.Count, rules.Directory, options.BaselineUrl.Length > 0 ? options.BaselineUrl : "not configured", options.MetricsTargets.Count,
            options.AllowLoopbackChanges ? "from loopback or with the change token" : "with the change token only");
        return app;
    }

    /// <summary>Each "--metrics name=url" becomes Console:MetricsTargets:i, so a list can be given on the command line.</summary>
    private static Dictionary<string, string?> MetricsSwitches(string[] args)
    {
        var targets = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--metrics")
            {
                targets[$"{ConsoleOptions.Section}:{nameof(ConsoleOptions.MetricsTargets)}:{targets.Count}"] = args[++i];
            }
        }

        return targets;
    }

    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidation>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ConsoleOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.AddVigilKafka(builder.Configuration);
        services.AddVigilRedis(builder.Configuration);
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        services.AddProtobufCodec<Alert>(builder.Configuration, TopicRole.Alerts);
        services.AddSingleton<ConsoleMetrics>();
        services.AddSingleton<AlertStore>();
        services.AddSingleton(sp => new ChangeAccess(sp.GetRequiredService<ConsoleOptions>()));
        services.AddSingleton(sp => RuleCatalog.Load(sp.GetRequiredService<ConsoleOptions>().RulesPath, sp.GetRequiredService<ILoggerFactory>().CreateLogger<RuleCatalog>()));
        services.AddHttpClient();
        services.AddSingleton<MetricsScraper>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsScraper>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ConsoleOptions>();
            if (options.BaselineUrl.Length == 0)
            {
                return null!;
            }

            var token = string.IsNullOrEmpty(options.BaselineTokenFile) ? null : File.ReadAllText(options.BaselineTokenFile).Trim();
            var handler = GrpcClientHandler.Create(options.BaselineCaCertificatePath, options.BaselineClientCertificatePath, options.BaselineClientKeyPath, token);
            return new BaselineService.BaselineServiceClient(GrpcChannel.ForAddress(options.BaselineUrl, new GrpcChannelOptions { HttpHandler = handler }));
        });
        services.AddKafkaConsumer<Alert, AlertIngestHandler>(Service);
        return builder;
    }
}
