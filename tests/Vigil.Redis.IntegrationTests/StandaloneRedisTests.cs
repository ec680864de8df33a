using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Vigil.Testing;

namespace Vigil.Redis.IntegrationTests;

public sealed class StandaloneRedisTests(RedisServer server) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task TheConnectorSharesOneMultiplexerThatReadsAndWritesHostState()
    {
        await using var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], KeyPrefix = UniquePrefix() });

        var first = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        var second = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        var key = connector.Keys.Host("mac-1", "seq", "an0167");
        await first.GetDatabase().StringSetAsync(key, "exec", TimeSpan.FromMinutes(1));

        Assert.Same(first, second);
        Assert.Equal("exec", (string?)await second.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public async Task PingReportsTheServerAsItsOnlyPrimaryWithoutWarning()
    {
        await using var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint] });

        var ping = await connector.PingAsync(TestContext.Current.CancellationToken);

        Assert.Equal(server.Port, Assert.IsType<IPEndPoint>(Assert.Single(ping.Primaries)).Port);
        Assert.Null(ping.Warning);
    }

    [Fact]
    public async Task ClusterModeAgainstAStandaloneServerMakesTheHealthCheckDegraded()
    {
        await using var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], Mode = RedisMode.Cluster });

        var result = await new RedisHealthCheck(connector).CheckHealthAsync(HealthContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal($"Redis:Mode is Cluster but {server.Endpoint} is Standalone.", result.Description);
    }

    [Fact]
    public async Task AnUnreachableServerMakesPingFailNamingTheEndpointAndTheHealthCheckUnhealthy()
    {
        await using var stopped = await RedisServer.StartAsync();
        var endpoint = stopped.Endpoint;
        await stopped.StopAsync();
        await using var connector = new RedisConnector(new RedisOptions
        {
            Endpoints = [endpoint],
            ConnectTimeout = TimeSpan.FromSeconds(1),
            AsyncTimeout = TimeSpan.FromSeconds(1),
        });

        var e = await Assert.ThrowsAsync<RedisConnectionException>(() => connector.PingAsync(TestContext.Current.CancellationToken));
        var result = await new RedisHealthCheck(connector).CheckHealthAsync(HealthContext(), TestContext.Current.CancellationToken);

        Assert.StartsWith($"Redis is not available: {endpoint}: UnableToConnect", e.Message, StringComparison.Ordinal);
        Assert.Equal(ConnectionFailureType.UnableToConnect, e.FailureType);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal(e.Message, result.Description);
    }

    [Fact]
    public async Task AddVigilRedisGivesServicesAWorkingMultiplexerKeysAndHealthCheck()
    {
        var prefix = UniquePrefix();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redis:Endpoints:0"] = server.Endpoint,
            ["Redis:KeyPrefix"] = prefix,
        }).Build();
        await using var provider = new ServiceCollection().AddVigilRedis(configuration).BuildServiceProvider();

        var keys = provider.GetRequiredService<RedisKeys>();
        var database = provider.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        await database.StringSetAsync(keys.Host("mac-1", "dedup"), "1", TimeSpan.FromMinutes(1));
        var health = await provider.GetRequiredService<RedisHealthCheck>().CheckHealthAsync(HealthContext(), TestContext.Current.CancellationToken);

        Assert.Equal($"{prefix}:{{mac-1}}:dedup", keys.Host("mac-1", "dedup").ToString());
        Assert.Equal("1", (string?)await database.StringGetAsync($"{prefix}:{{mac-1}}:dedup"));
        Assert.Same(provider.GetRequiredService<RedisConnector>().Keys, keys);
        Assert.Equal(HealthStatus.Healthy, health.Status);
    }

    [Theory]
    [InlineData(null, RedisProtocol.Resp3, "resp=3")]
    [InlineData(RedisProtocol.Resp2, RedisProtocol.Resp2, "resp=2")]
    [InlineData(RedisProtocol.Resp3, RedisProtocol.Resp3, "resp=3")]
    public async Task AConnectorSpeaksTheConfiguredProtocolOrElseResp3WhereOfferedAndItsHealthCheckSaysWhich(RedisProtocol? configured, RedisProtocol protocol, string serverSees)
    {
        var log = new RecordingLoggerFactory();
        await using var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], Protocol = configured }, log);

        var database = (await connector.ConnectAsync(TestContext.Current.CancellationToken)).GetDatabase();
        var client = (string?)await database.ExecuteAsync("CLIENT", "INFO");
        var health = await new RedisHealthCheck(connector).CheckHealthAsync(HealthContext(), TestContext.Current.CancellationToken);

        Assert.Matches($@"\b{serverSees}\b", client);
        Assert.Contains($"Connected to Redis at {server.Endpoint} over {protocol}", log.Lines);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal(protocol.ToString(), health.Data["protocol"]);
    }

    /// <summary>Keeps every message logged through it, formatted, in order.</summary>
    private sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> lines = new();

        public IReadOnlyCollection<string> Lines => lines;

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }

    internal static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    internal static HealthCheckContext HealthContext() => new()
    {
        Registration = new HealthCheckRegistration("redis", _ => throw new InvalidOperationException("not used"), HealthStatus.Unhealthy, ["ready"]),
    };
}
