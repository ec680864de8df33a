using StackExchange.Redis;
using Vigil.Testing;

namespace Vigil.Redis.IntegrationTests;

/// <summary>TLS with a throwaway CA made by openssl: server authentication, name checks, and mutual TLS.</summary>
public sealed class TlsRedisTests : IAsyncLifetime
{
    private readonly TemporaryDirectory files = TemporaryDirectory.Create("vigil-redis-tls-");
    private TestCertificateAuthority? authority;
    private TestCertificate serverCertificate = null!;

    public async ValueTask InitializeAsync()
    {
        if (!TestCertificateAuthority.IsOpenSslAvailable)
        {
            return;
        }

        authority = await TestCertificateAuthority.CreateAsync(files.Path);
        serverCertificate = await authority.IssueServerCertificateAsync("redis", "DNS:localhost", "IP:127.0.0.1");
    }

    public ValueTask DisposeAsync()
    {
        files.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task AServerCertificateFromTheConfiguredCaIsAccepted()
    {
        await using var server = await StartServerAsync(requireClientCertificate: null);
        await using var connector = new RedisConnector(TlsOptions(server, sslHost: "localhost"));

        var database = (await connector.ConnectAsync(TestContext.Current.CancellationToken)).GetDatabase();
        await database.StringSetAsync(connector.Keys.Host("mac-1", "seq"), "exec", TimeSpan.FromMinutes(1));

        Assert.Equal("exec", (string?)await database.StringGetAsync(connector.Keys.Host("mac-1", "seq")));
    }

    [Fact]
    public async Task AServerCertificateFromAnotherCaIsRefused()
    {
        await using var server = await StartServerAsync(requireClientCertificate: null);
        var otherAuthority = await TestCertificateAuthority.CreateAsync(files.Path, "other-ca", "Some other CA");
        var options = TlsOptions(server, sslHost: "localhost");
        options.CaCertificatePath = otherAuthority.Certificate.CertificatePath;
        await using var connector = new RedisConnector(options);

        await AssertTlsFailureAsync(connector, "does not chain to the CA in Redis:CaCertificatePath");
    }

    [Fact]
    public async Task AServerCertificateForAnotherNameIsRefusedEvenFromTheConfiguredCa()
    {
        await using var server = await StartServerAsync(requireClientCertificate: null);
        await using var connector = new RedisConnector(TlsOptions(server, sslHost: "redis.elsewhere.example"));

        await AssertTlsFailureAsync(connector, "is not issued for the expected host name (Redis:SslHost");
    }

    [Fact]
    public async Task MutualTlsWorksWithAClientCertificateFromTheCa()
    {
        var client = await Authority.IssueClientCertificateAsync("vigil-client");
        await using var server = await StartServerAsync(requireClientCertificate: client);
        var options = TlsOptions(server, sslHost: "localhost");
        options.ClientCertificatePath = client.CertificatePath;
        options.ClientKeyPath = client.KeyPath;
        await using var connector = new RedisConnector(options);

        var ping = await connector.PingAsync(TestContext.Current.CancellationToken);

        Assert.Single(ping.Primaries);
    }

    [Fact]
    public async Task AServerRequiringClientCertificatesRefusesAClientWithout()
    {
        var client = await Authority.IssueClientCertificateAsync("vigil-client");
        await using var server = await StartServerAsync(requireClientCertificate: client);
        await using var connector = new RedisConnector(TlsOptions(server, sslHost: "localhost"));

        var e = await Assert.ThrowsAsync<RedisConnectionException>(() => connector.PingAsync(TestContext.Current.CancellationToken));

        Assert.StartsWith($"Redis is not available: {server.Endpoint}:", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The test CA; skips the test when openssl, which makes it, is missing.</summary>
    private TestCertificateAuthority Authority
    {
        get
        {
            Assert.SkipUnless(authority is not null, "openssl is not on PATH; `make test` installs it (apt-get install -y openssl).");
            return authority;
        }
    }

    private Task<RedisServer> StartServerAsync(TestCertificate? requireClientCertificate) =>
        RedisServer.StartAsync(new RedisServerSettings
        {
            Tls = new RedisServerTls(Authority.Certificate.CertificatePath, serverCertificate, requireClientCertificate),
        });

    private RedisOptions TlsOptions(RedisServer server, string sslHost) => new()
    {
        Endpoints = [server.Endpoint],
        Ssl = true,
        SslHost = sslHost,
        CaCertificatePath = Authority.Certificate.CertificatePath,
        // Generous, so a loaded machine still sees the handshake's verdict rather than a timeout.
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AsyncTimeout = TimeSpan.FromSeconds(5),
    };

    private static async Task AssertTlsFailureAsync(RedisConnector connector, string reason)
    {
        var e = await Assert.ThrowsAsync<RedisConnectionException>(() => connector.PingAsync(TestContext.Current.CancellationToken));

        Assert.StartsWith($"Redis is not available: {connector.Options.EndpointList()[0]}: TLS handshake failed: the server certificate 'CN=localhost'", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }
}
