using Vigil.Testing;

namespace Vigil.Redis.IntegrationTests;

/// <summary>The test fixture itself: a server that cannot start must say why, and a stopped server must be gone.</summary>
public sealed class RedisServerFixtureTests
{
    [Fact]
    public async Task AServerThatCannotStartQuotesItsOutputInTheFailure()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RedisServer.StartAsync(new RedisServerSettings { Arguments = ["--no-such-directive", "1"] }));

        Assert.Contains("did not start: the process exited", e.Message, StringComparison.Ordinal);
        Assert.Contains("Bad directive or wrong number of arguments", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoppedServerNoLongerAcceptsConnections()
    {
        var server = await RedisServer.StartAsync();
        var port = server.Port;
        Assert.Equal("+PONG", await server.SendAsync(TestContext.Current.CancellationToken, "PING"));

        await server.DisposeAsync();

        using var client = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() =>
            client.ConnectAsync(RedisServer.Host, port, TestContext.Current.CancellationToken).AsTask());
        Assert.False(Directory.Exists(server.Directory));
    }
}
