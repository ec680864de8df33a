namespace Vigil.Testing;

/// <summary>Tests that each need their own embedded broker and redis-server, started before and stopped after the class.</summary>
public abstract class RealStackTests : IAsyncLifetime
{
    private RedisServer? redis;

    protected EmbeddedKafkaBroker Broker { get; } = new();

    protected RedisServer Redis => redis ?? throw new InvalidOperationException("redis-server is not started.");

    public async ValueTask InitializeAsync() => redis = await RedisServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (redis is not null)
        {
            await redis.DisposeAsync();
        }

        await Broker.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
