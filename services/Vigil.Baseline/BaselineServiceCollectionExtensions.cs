using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Baseline.Alerts;
using Vigil.Baseline.Api;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging.Kafka;
using Vigil.Messaging;
using Vigil.Redis;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;

namespace Vigil.Baseline;

/// <summary>Registers the baseline service: its consumer of the telemetry topic, its Redis state and its gRPC API.</summary>
public static class BaselineServiceCollectionExtensions
{
    public const string Service = "baseline";
    public const string Analytic = "an1227";

    /// <summary>Command-line switches of the baseline, mapped onto configuration keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--urls"] = $"{BaselineOptions.Section}:{nameof(BaselineOptions.HttpUrls)}",
        ["--grpc-url"] = $"{BaselineOptions.Section}:{nameof(BaselineOptions.GrpcUrl)}",
    };

    /// <summary>
    /// The baseline as vigil-baseline runs it: service defaults, the baseline's registrations and endpoints.
    /// --urls is taken over by the baseline, which binds it next to the gRPC port; the web host never sees it,
    /// so Kestrel does not report it as overridden. <paramref name="configure"/> runs just before the build.
    /// </summary>
    public static WebApplication BuildBaseline(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var hostArgs = WithoutUrls(args);
        var builder = WebApplication.CreateBuilder(hostArgs);
        builder.AddServiceDefaults(hostArgs);
        builder.Configuration.AddCommandLine(args, Switches.ToDictionary());
        builder.AddBaseline();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapBaseline();
        return app;
    }

    public static WebApplicationBuilder AddBaseline(this WebApplicationBuilder builder)
    {
        // Kestrel's endpoints are set before the container exists, so the section is read here too; the same
        // validation runs first, so a bad key ends start-up with one line (exit 2) instead of a stack trace.
        var options = UnreadableSettings.Read<BaselineOptions>(builder.Configuration, BaselineOptions.Section);
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new OptionsValidationException(BaselineOptions.Section, typeof(BaselineOptions), problems);
        }

        var api = UnreadableSettings.Read<BaselineApiOptions>(builder.Configuration, BaselineApiOptions.Section);
        var apiProblems = BaselineApiOptionsValidation.Problems(api, options.GrpcUrl);
        if (apiProblems.Count > 0)
        {
            // Checked here too, not only at start: Kestrel reads the certificate files when it binds.
            throw new InvalidOperationException("Invalid baseline settings:\n  " + string.Join("\n  ", apiProblems));
        }

        var grpc = new BaselineGrpcEndpoint();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in options.HttpUrls.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                KestrelEndpoints.Listen(kestrel, url, HttpProtocols.Http1);
            }

            KestrelEndpoints.Listen(kestrel, options.GrpcUrl, HttpProtocols.Http2, listen =>
            {
                if (api.UsesTls)
                {
                    GrpcTls.Use(listen, api);
                }

                grpc.Bind(listen, api.UsesTls);
            });
        });

        var services = builder.Services;
        services.AddOptions<BaselineOptions>().BindConfiguration(BaselineOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BaselineOptions>, BaselineOptionsValidation>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BaselineOptions>>().Value);
        services.AddSingleton(grpc);
        services.TryAddSingleton(TimeProvider.System);
        services.AddVigilKafka(builder.Configuration);
        services.AddVigilRedis(builder.Configuration);
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        services.AddSelectiveTelemetryCodec(builder.Configuration, _ => FieldSelection.Of(TelemetryEvent.Descriptor, BaselineHandler.FieldsRead));
        services.AddProtobufCodec<Alert>(builder.Configuration, TopicRole.Alerts);
        services.AddTopicPublisher<Alert>(TopicRole.Alerts);
        services.AddTopicReader<Alert>();
        services.AddSingleton(sp => new AlertOutbox(
            sp.GetRequiredService<ITopicPublisher<Alert>>(),
            new PublishedAlertLog(sp.GetRequiredService<ITopicReader<Alert>>(), sp.GetRequiredService<TopicManifest>(), $"{Service}/{Analytic}")));
        services.AddSingleton<BaselineMetrics>();
        services.AddSingleton<BaselineGeneration>();
        services.AddHostedService<BaselineMemoryWatch>();
        services.AddBaselineStorage(options);
        services.AddSingleton(_ => new ProcessChainCache(options.ChainCacheCapacity));
        services.AddSingleton(sp => new BaselineAlertBuilder(options, sp.GetRequiredService<TimeProvider>(), $"{Service}/{Analytic}"));
        services.AddSingleton(sp => new BaselineDetector(
            options, sp.GetRequiredService<BaselineAlertBuilder>(), sp.GetRequiredService<ProcessChainCache>(), sp.GetRequiredService<TimeProvider>()));
        services.AddKafkaConsumer<TelemetryEvent, BaselineHandler>(Service, Analytic);
        services.AddSingleton(_ => new ChangeAuthorization(options));
        services.AddOptions<BaselineApiOptions>().BindConfiguration(BaselineApiOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BaselineApiOptions>, BaselineApiOptionsValidation>());
        services.AddSingleton(sp => new ReadAuthorization(sp.GetRequiredService<IOptions<BaselineApiOptions>>().Value, options));
        services.AddGrpc();
        return builder;
    }

    private static string[] WithoutUrls(string[] args)
    {
        var kept = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--urls")
            {
                i++;
            }
            else if (!args[i].StartsWith("--urls=", StringComparison.Ordinal))
            {
                kept.Add(args[i]);
            }
        }

        return [.. kept];
    }

    /// <summary>Maps the gRPC API (reachable on the gRPC endpoint, which alone speaks HTTP/2).</summary>
    public static WebApplication MapBaseline(this WebApplication app)
    {
        app.MapGrpcService<BaselineApi>();
        return app;
    }
}
