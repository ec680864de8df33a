using System.Text.RegularExpressions;
using StackExchange.Redis;
using Xunit;

namespace Vigil.Testing;

/// <summary>
/// Which protocol a connection really speaks. <see cref="IServer.Protocol"/> alone proves nothing: the client reports
/// the protocol it was configured with even while it is not connected. The server's own record of the live connection
/// (CLIENT INFO's <c>resp=2|3</c>) does.
/// </summary>
public static partial class RedisProtocolAssert
{
    /// <summary>
    /// Asserts that every server <paramref name="connection"/> knows (each node of a cluster) is connected, and that the
    /// server sees its connection speak <paramref name="protocol"/>.
    /// </summary>
    public static async Task SpeaksAsync(IConnectionMultiplexer connection, RedisProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var servers = connection.GetServers();
        Assert.NotEmpty(servers);
        var expected = protocol switch
        {
            RedisProtocol.Resp2 => "2",
            RedisProtocol.Resp3 => "3",
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Not a protocol a connection speaks."),
        };
        foreach (var server in servers)
        {
            var endpoint = EndPointCollection.ToString(server.EndPoint);
            Assert.True(server.IsConnected, $"{endpoint} is not connected (the client says {server.Protocol} whether or not it is)");
            Assert.Equal(protocol, server.Protocol);

            // Sent to this server (not routed by key), on the connection the client's commands use.
            var info = (string?)await server.ExecuteAsync("CLIENT", "INFO");
            var spoken = RespField().Match(info ?? string.Empty);
            Assert.True(spoken.Success, $"{endpoint}: CLIENT INFO has no resp field: {info}");
            Assert.True(spoken.Groups[1].Value == expected, $"{endpoint} sees the connection speak RESP{spoken.Groups[1].Value}, not {protocol}: {info}");
        }
    }

    [GeneratedRegex(@"(?:^|\s)resp=(\d+)(?:\s|$)")]
    private static partial Regex RespField();
}
