using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vigil.ServiceDefaults;

namespace Vigil.Redis;

/// <summary>Registers Vigil's Redis plumbing in a service container.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="RedisOptions"/> from the "Redis" section (validated at host start), and registers the shared
    /// <see cref="RedisConnector"/>, its <see cref="IConnectionMultiplexer"/>, <see cref="RedisKeys"/> and
    /// <see cref="RedisHealthCheck"/> as singletons. Add the check to readiness with
    /// <c>AddHealthChecks().AddCheck&lt;RedisHealthCheck&gt;("redis", tags: ["ready"])</c>.
    /// </summary>
    public static IServiceCollection AddVigilRedis(this IServiceCollection services, IConfiguration configuration)
    {
        // BindConfiguration reads the host's IConfiguration; a bare container (tests, tools) gets the one passed in.
        services.TryAddSingleton(configuration);
        services.AddUnreadableSettingsAsErrors();
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidation>());

        services.TryAddSingleton(provider => new RedisConnector(
            provider.GetRequiredService<IOptions<RedisOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton(provider => provider.GetRequiredService<RedisConnector>().Keys);

        // Resolved once at startup; with AbortOnConnectFail off this returns within ConnectTimeout even when Redis is down.
        services.TryAddSingleton(provider =>
            provider.GetRequiredService<RedisConnector>().ConnectAsync().GetAwaiter().GetResult());
        services.TryAddSingleton<RedisHealthCheck>();
        return services;
    }
}
