using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Vigil.Testing;

namespace Vigil.Redis.IntegrationTests;

public sealed class RedisOptionsTests : IDisposable
{
    private readonly TemporaryDirectory files = TemporaryDirectory.Create("vigil-redis-options-");

    [Fact]
    public void EmptyEndpointsAreRejectedWithAMessageNamingTheKey()
    {
        var error = Assert.Single(new RedisOptions().Validate());

        Assert.StartsWith("Redis:Endpoints is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterModeAcceptsASingleSeedEndpoint()
    {
        Assert.Empty(new RedisOptions { Mode = RedisMode.Cluster, Endpoints = ["redis-0.redis:6379"] }.Validate());
    }

    [Fact]
    public void ACommaSeparatedEntryIsSplitIntoEndpoints()
    {
        var options = new RedisOptions { Endpoints = ["10.0.0.1:6379, 10.0.0.2:6379", "[::1]:6380"] };

        Assert.Empty(options.Validate());
        Assert.Equal(["10.0.0.1:6379", "10.0.0.2:6379", "[::1]:6380"], options.EndpointList());
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("redis:")]
    [InlineData("redis:0")]
    [InlineData("redis:65536")]
    [InlineData("redis:+6379")]
    [InlineData("redis:6379x")]
    [InlineData("[::1]")]
    public void AnEndpointWithoutAValidPortIsRejected(string endpoint)
    {
        var error = Assert.Single(new RedisOptions { Endpoints = [endpoint] }.Validate());

        Assert.Contains($"'{endpoint}' is not host:port", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AUserWithoutAPasswordIsRejectedRatherThanSilentlyConnectingAsDefault()
    {
        var error = Assert.Single(new RedisOptions { Endpoints = ["redis:6379"], User = "vigil" }.Validate());

        Assert.Equal("Redis:User is 'vigil' but neither Redis:Password nor Redis:PasswordFile is set.", error);
    }

    [Fact]
    public void PasswordAndPasswordFileTogetherAreRejected()
    {
        var passwordFile = files.Combine("password");
        File.WriteAllText(passwordFile, "s3cret");

        var error = Assert.Single(new RedisOptions { Endpoints = ["redis:6379"], Password = "x", PasswordFile = passwordFile }.Validate());

        Assert.Equal("Redis:Password and Redis:PasswordFile are both set: set only one.", error);
    }

    [Fact]
    public void MissingFilesAreNamedWithTheirKey()
    {
        var missing = files.Combine("missing.pem");
        var options = new RedisOptions
        {
            Endpoints = ["redis:6379"],
            PasswordFile = missing,
            Ssl = true,
            CaCertificatePath = missing,
            ClientCertificatePath = missing,
            ClientKeyPath = missing,
        };

        Assert.Equal(
        [
            $"Redis:PasswordFile: file '{missing}' does not exist.",
            $"Redis:CaCertificatePath: file '{missing}' does not exist.",
            $"Redis:ClientCertificatePath: file '{missing}' does not exist.",
            $"Redis:ClientKeyPath: file '{missing}' does not exist.",
        ],
        options.Validate());
    }

    [Fact]
    public void TlsSettingsWithoutSslAreRejected()
    {
        var ca = files.Combine("ca.crt");
        File.WriteAllText(ca, "unused");

        var error = Assert.Single(new RedisOptions { Endpoints = ["redis:6379"], CaCertificatePath = ca }.Validate());

        Assert.Equal("Redis:CaCertificatePath is set but Redis:Ssl is false: set Redis:Ssl to true to use TLS.", error);
    }

    [Fact]
    public void AClientKeyWithoutItsCertificateIsRejected()
    {
        var key = files.Combine("client.key");
        File.WriteAllText(key, "unused");

        var error = Assert.Single(new RedisOptions { Endpoints = ["redis:6379"], Ssl = true, ClientKeyPath = key }.Validate());

        Assert.Equal("Redis:ClientKeyPath is set without Redis:ClientCertificatePath.", error);
    }

    [Fact]
    public void NonPositiveTimeoutsAndABracedPrefixAreRejectedTogether()
    {
        var options = new RedisOptions
        {
            Endpoints = ["redis:6379"],
            ConnectTimeout = TimeSpan.Zero,
            AsyncTimeout = TimeSpan.FromSeconds(-1),
            KeyPrefix = "vigil{prod}",
        };

        var errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Redis:ConnectTimeout must be positive", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Redis:AsyncTimeout must be positive", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("Redis:KeyPrefix: the key prefix 'vigil{prod}' contains '{' or '}'", errors[2], StringComparison.Ordinal);
    }

    [Fact]
    public void TheConnectorRefusesInvalidOptionsListingEveryProblem()
    {
        var e = Assert.Throws<OptionsValidationException>(() => new RedisConnector(new RedisOptions { User = "vigil" }));

        Assert.Equal(2, e.Failures.Count());
        Assert.Contains("Redis:Endpoints is empty", e.Message, StringComparison.Ordinal);
        Assert.Contains("Redis:User is 'vigil'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3cret\n")]
    [InlineData("s3cret\r\n")]
    [InlineData("s3cret")]
    public void APasswordFileEndingInALineBreakYieldsThePasswordWithoutIt(string content)
    {
        var passwordFile = files.Combine("password");
        File.WriteAllText(passwordFile, content);

        Assert.Equal("s3cret", new RedisOptions { PasswordFile = passwordFile }.ResolvePassword());
    }

    [Fact]
    public void AddVigilRedisBindsTheRedisSection()
    {
        var passwordFile = files.Combine("password");
        File.WriteAllText(passwordFile, "s3cret\n");
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Redis:Endpoints:0"] = "redis-0.redis:6379",
            ["Redis:Endpoints:1"] = "redis-1.redis:6379",
            ["Redis:Mode"] = "Cluster",
            ["Redis:User"] = "vigil",
            ["Redis:PasswordFile"] = passwordFile,
            ["Redis:ConnectTimeout"] = "00:00:02",
            ["Redis:AsyncTimeout"] = "00:00:00.750",
            ["Redis:KeyPrefix"] = "vigil:staging",
        });

        var options = provider.GetRequiredService<IOptions<RedisOptions>>().Value;

        Assert.Equal(["redis-0.redis:6379", "redis-1.redis:6379"], options.EndpointList());
        Assert.Equal(RedisMode.Cluster, options.Mode);
        Assert.Equal("vigil", options.User);
        Assert.Equal("s3cret", options.ResolvePassword());
        Assert.Equal(TimeSpan.FromSeconds(2), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(750), options.AsyncTimeout);
        Assert.Equal("vigil:staging", provider.GetRequiredService<RedisKeys>().Prefix);
    }

    [Fact]
    public void AddVigilRedisReportsInvalidConfigurationWhenTheOptionsAreFirstUsed()
    {
        using var provider = Services(new Dictionary<string, string?> { ["Redis:Mode"] = "Cluster" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisOptions>>().Value);

        Assert.Contains("Redis:Endpoints is empty: list at least one cluster node", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Resp3", RedisProtocol.Resp3)]
    [InlineData("resp3", RedisProtocol.Resp3)]
    [InlineData("Resp2", RedisProtocol.Resp2)]
    public void TheConfiguredProtocolIsWhatTheClientIsToldToSpeak(string configured, RedisProtocol expected)
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Redis:Endpoints:0"] = "redis:6379",
            ["Redis:Protocol"] = configured,
        });

        var options = provider.GetRequiredService<IOptions<RedisOptions>>().Value;

        Assert.Equal(expected, options.Protocol);
        Assert.Equal(expected, RedisConnector.CreateConfiguration(options).Protocol);
    }

    [Fact]
    public void AProtocolOtherThanResp2OrResp3IsRejectedNamingTheKey()
    {
        var error = Assert.Single(new RedisOptions { Endpoints = ["redis:6379"], Protocol = (RedisProtocol)3 }.Validate());

        Assert.Equal("Redis:Protocol: '3' is not one of Resp2, Resp3.", error);
    }

    [Theory]
    [InlineData("resp4")]
    [InlineData("banana")]
    [InlineData("RESP 3")]
    public void AProtocolValueThatNamesNoProtocolFailsNamingTheKeyAndTheAcceptedValues(string configured)
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Redis:Endpoints:0"] = "redis:6379",
            ["Redis:Protocol"] = configured,
        });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisOptions>>().Value);

        Assert.Equal($"Redis:Protocol: '{configured}' is not one of Resp2, Resp3.", Assert.Single(e.Failures));
    }

    [Fact]
    public void AnEmptyProtocolLeavesTheChoiceToTheClient()
    {
        using var provider = Services(new Dictionary<string, string?>
        {
            ["Redis:Endpoints:0"] = "redis:6379",
            ["Redis:Protocol"] = string.Empty,
        });

        Assert.Null(provider.GetRequiredService<IOptions<RedisOptions>>().Value.Protocol);
    }

    public void Dispose() => files.Dispose();

    private static ServiceProvider Services(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddVigilRedis(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
}
