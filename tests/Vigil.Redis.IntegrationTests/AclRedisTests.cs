using StackExchange.Redis;
using Vigil.Testing;

namespace Vigil.Redis.IntegrationTests;

/// <summary>
/// A server with the default user disabled, a least-privilege user limited to Vigil's keys and no channels, and one with
/// only the command categories docs/deploying.md tells operators to grant.
/// </summary>
public sealed class AclRedisTests : IAsyncLifetime
{
    private const string Password = "c0rrect-h0rse";
    private const string AdminPassword = "adm1n-only";

    private readonly TemporaryDirectory files = TemporaryDirectory.Create("vigil-redis-acl-");
    private RedisServer server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await RedisServer.StartAsync(new RedisServerSettings
        {
            Arguments =
            [
                "--user", "default", "off",
                "--user", "vigil", "on", ">" + Password, "~vigil:*", "resetchannels", "+@all",
                "--user", "admin", "on", ">" + AdminPassword, "~*", "&*", "+@all",
                // As docs/deploying.md has it.
                "--user", "documented", "on", ">" + Password, "~vigil:*", "resetchannels",
                "+@read", "+@write", "+@scripting", "+@connection", "+info", "+cluster", "+client",
            ],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        files.Dispose();
    }

    [Fact]
    public async Task AnAclUserWithItsPasswordReadsAndWritesVigilKeys()
    {
        await using var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], User = "vigil", Password = Password });

        var database = (await connector.ConnectAsync(TestContext.Current.CancellationToken)).GetDatabase();
        var key = connector.Keys.Host("mac-1", "seq");
        await database.StringSetAsync(key, "exec", TimeSpan.FromMinutes(1));

        Assert.Equal("exec", (string?)await database.StringGetAsync(key));
        Assert.Null((await connector.PingAsync(TestContext.Current.CancellationToken)).Warning);
    }

    [Fact]
    public async Task APasswordFileAsMountedByKubernetesAuthenticates()
    {
        var passwordFile = files.Combine("redis-password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n", TestContext.Current.CancellationToken);
        await using var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], User = "vigil", PasswordFile = passwordFile });

        var ping = await connector.PingAsync(TestContext.Current.CancellationToken);

        Assert.Single(ping.Primaries);
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task ALeastPrivilegeUserConnectsAndWorksWithoutAnyAclDenialOverEitherProtocol(RedisProtocol protocol)
    {
        await using (var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], User = "vigil", Password = Password, Protocol = protocol }))
        {
            await WorkAsync(connector, protocol);
        }

        // Every command the client sent on its own (handshake, configuration) must have been allowed.
        Assert.Empty(await AclLogAsync());
    }

    [Theory]
    [InlineData(RedisProtocol.Resp2)]
    [InlineData(RedisProtocol.Resp3)]
    public async Task AUserWithTheDocumentedCommandCategoriesWorksOverEitherProtocolRefusedOnlyTheClientsOptionalConfigRead(RedisProtocol protocol)
    {
        await using (var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], User = "documented", Password = Password, Protocol = protocol }))
        {
            await WorkAsync(connector, protocol);
        }

        // The handshake (HELLO, with AUTH, under RESP3) is in +@connection. The client also reads server settings
        // with CONFIG GET, which these categories leave out (it would show the server's passwords): refused, and
        // the client carries on without them.
        Assert.All(await AclLogAsync(), entry => Assert.Equal("config|get", AclLogField(entry, "object")));
    }

    [Fact]
    public async Task TheAclLogRecordsADenialWhenTheUserLeavesItsKeys()
    {
        await using var connector = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], User = "vigil", Password = Password });
        var database = (await connector.ConnectAsync(TestContext.Current.CancellationToken)).GetDatabase();

        var e = await Assert.ThrowsAsync<RedisServerException>(() => database.StringSetAsync("other:key", "x"));
        var denials = await AclLogAsync();

        Assert.StartsWith("NOPERM", e.Message, StringComparison.Ordinal);
        Assert.Single(denials);
    }

    [Fact]
    public async Task AWrongPasswordFailsWithAnAuthenticationErrorNamingTheSettings()
    {
        await using var connector = new RedisConnector(new RedisOptions
        {
            Endpoints = [server.Endpoint],
            User = "vigil",
            Password = "wrong",
            // Generous: on a loaded machine a short timeout can expire before the server's refusal arrives, and
            // the failure is then only a timeout. The refusal itself comes back at once.
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AsyncTimeout = TimeSpan.FromSeconds(10),
        });

        await AssertAuthenticationFailureAsync(connector, server.Endpoint);
    }

    [Fact]
    public async Task AWrongPasswordIsAnAuthenticationFailureEvenWhenTheFirstHandshakeOutlastsTheConnectTimeout()
    {
        // The first handshake's replies arrive after ConnectTimeout, so the client gives up on it before the server
        // refuses the password and stores "unable to connect" as the failure of the waiting PING; every later
        // handshake is refused at once.
        await using var link = SlowFirstConnectionLink.Start(server.Port, TimeSpan.FromSeconds(3));
        await using var connector = new RedisConnector(new RedisOptions
        {
            Endpoints = [link.Endpoint],
            User = "vigil",
            Password = "wrong",
            ConnectTimeout = TimeSpan.FromSeconds(1),
            AsyncTimeout = TimeSpan.FromSeconds(5),
        });

        await AssertAuthenticationFailureAsync(connector, link.Endpoint);
    }

    /// <summary>
    /// Runs a script on Vigil's keys and PINGs, and checks the connection speaks <paramref name="protocol"/> (so the
    /// server accepted the handshake that asks for it).
    /// </summary>
    private static async Task WorkAsync(RedisConnector connector, RedisProtocol protocol)
    {
        var connection = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        var database = connection.GetDatabase();
        var key = connector.Keys.Host("mac-1", "count");
        var before = (long)await database.StringGetAsync(key);
        Assert.Equal(before + 1, (long)await database.ScriptEvaluateAsync("return redis.call('INCR', KEYS[1])", [key]));
        var ping = await connector.PingAsync(TestContext.Current.CancellationToken);
        Assert.Equal(protocol, ping.Protocol);
        await RedisProtocolAssert.SpeaksAsync(connection, protocol);
    }

    /// <summary>A field of an ACL LOG entry (a map under RESP3, name/value pairs under RESP2).</summary>
    private static string? AclLogField(RedisResult entry, string name) =>
        entry.ToDictionary().TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>The server's record of refused commands and logins, read as an administrator.</summary>
    private async Task<RedisResult[]> AclLogAsync()
    {
        await using var admin = new RedisConnector(new RedisOptions { Endpoints = [server.Endpoint], User = "admin", Password = AdminPassword });
        var database = (await admin.ConnectAsync(TestContext.Current.CancellationToken)).GetDatabase();
        return (RedisResult[])(await database.ExecuteAsync("ACL", "LOG"))!;
    }

    /// <summary>The connector's PING fails as an authentication failure whose message names the endpoint and the settings to check.</summary>
    private static async Task AssertAuthenticationFailureAsync(RedisConnector connector, string endpoint)
    {
        var e = await Assert.ThrowsAsync<RedisConnectionException>(() => connector.PingAsync(TestContext.Current.CancellationToken));

        Assert.Equal(ConnectionFailureType.AuthenticationFailure, e.FailureType);
        Assert.StartsWith(
            $"Redis is not available: {endpoint}: authentication failed; check Redis:User and Redis:Password/PasswordFile",
            e.Message,
            StringComparison.Ordinal);
    }
}
