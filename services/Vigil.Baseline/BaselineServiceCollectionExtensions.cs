using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;
using Vigil.Redis;
using Vigil.SchemaRegistry;
using Vigil.ServiceDefaults;

namespace Vigil.Baseline;

/// <summary>Registers the baseline service: its consumer of the telemetry topic, its Redis state and its gRPC API.</summary>
public static class BaselineServiceCollectionExtensions
{
    public const string Service = "baseline";
    public const string Analytic = "an1227";
    public const string DefaultHttpUrl = "http://127.0.0.1:7410";

    /// <summary>Command-line switches of the baseline, mapped onto configuration keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--grpc-url"] = $"{BaselineOptions.Section}:{nameof(BaselineOptions.GrpcUrl)}",
    };

    public static WebApplicationBuilder AddBaseline(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(BaselineOptions.Section).Get<BaselineOptions>() ?? new BaselineOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid baseline settings:\n  " + string.Join("\n  ", problems));
        }

        var grpc = new BaselineGrpcEndpoint();
        var httpUrls = (builder.Configuration["urls"] is { Length: > 0 } urls ? urls : DefaultHttpUrl).Split(';', StringSplitOptions.RemoveEmptyEntries);
        builder.WebHost.UseUrls();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in httpUrls)
            {
                KestrelEndpoints.Listen(kestrel, url, HttpProtocols.Http1);
            }

            KestrelEndpoints.Listen(kestrel, options.GrpcUrl, HttpProtocols.Http2, grpc.Bind);
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(grpc);
        services.TryAddSingleton(TimeProvider.System);
        services.AddVigilKafka(builder.Configuration);
        services.AddVigilRedis(builder.Configuration);
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready]);
        services.AddProtobufCodec<TelemetryEvent>(builder.Configuration, TopicRole.Telemetry);
        services.AddProtobufCodec<Alert>(builder.Configuration, TopicRole.Alerts);
        services.AddTopicPublisher<Alert>(TopicRole.Alerts);
        services.AddSingleton(sp => new BaselineKeys(sp.GetRequiredService<RedisKeys>()));
        services.AddSingleton(sp => new BaselineStore(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<BaselineKeys>(), options));
        services.AddSingleton(sp => new ProfileDirectory(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<BaselineKeys>(), options));
        services.AddSingleton(_ => new ProcessChainCache(options.ChainCacheCapacity));
        services.AddSingleton(sp => new BaselineAlertBuilder(options, sp.GetRequiredService<TimeProvider>(), $"{Service}/{Analytic}"));
        services.AddSingleton(sp => new BaselineDetector(options, sp.GetRequiredService<BaselineAlertBuilder>(), sp.GetRequiredService<TimeProvider>()));
        services.AddKafkaConsumer<TelemetryEvent, BaselineHandler>(Service, Analytic);
        services.AddGrpc();
        return builder;
    }

    /// <summary>Maps the gRPC API (reachable on the gRPC endpoint, which alone speaks HTTP/2).</summary>
    public static WebApplication MapBaseline(this WebApplication app)
    {
        app.MapGrpcService<BaselineApi>();
        return app;
    }
}
