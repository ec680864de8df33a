using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Vigil.Redis;

namespace Vigil.Baseline.Storage;

/// <summary>Registers the baseline's Redis-backed stores (the Redis connection itself comes from AddVigilRedis).</summary>
public static class BaselineStorageServiceCollectionExtensions
{
    public static IServiceCollection AddBaselineStorage(this IServiceCollection services, BaselineOptions options)
    {
        services.AddSingleton(sp => new BaselineKeys(sp.GetRequiredService<RedisKeys>()));
        services.AddSingleton(sp => new BaselineStore(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<BaselineKeys>(), options, sp.GetRequiredService<BaselineMetrics>(), sp.GetRequiredService<ILogger<BaselineStore>>()));
        services.AddSingleton(sp => new ProfileDirectory(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<BaselineKeys>(), options));
        return services;
    }
}
