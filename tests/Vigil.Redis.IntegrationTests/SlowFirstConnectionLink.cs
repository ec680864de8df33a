using System.Net;
using System.Net.Sockets;

namespace Vigil.Redis.IntegrationTests;

/// <summary>
/// A TCP link on 127.0.0.1 in front of a real server that holds back the server's replies on the first connection
/// only, as a congested network or a stalled client thread does to one handshake; later connections pass at once.
/// </summary>
public sealed class SlowFirstConnectionLink : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly List<TcpClient> sockets = [];
    private readonly Task accepting;
    private int accepted;

    private SlowFirstConnectionLink(int targetPort, TimeSpan firstReplyDelay)
    {
        listener.Start();
        accepting = AcceptAsync(targetPort, firstReplyDelay);
    }

    /// <summary>Where clients connect, as host:port.</summary>
    public string Endpoint => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    public static SlowFirstConnectionLink Start(int targetPort, TimeSpan firstReplyDelay) => new(targetPort, firstReplyDelay);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        lock (sockets)
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped while waiting for a client.
        }

        stopping.Dispose();
    }

    private async Task AcceptAsync(int targetPort, TimeSpan firstReplyDelay)
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stopping.Token);
            var delay = Interlocked.Increment(ref accepted) == 1 ? firstReplyDelay : TimeSpan.Zero;
            _ = RelayAsync(client, targetPort, delay);
        }
    }

    private async Task RelayAsync(TcpClient client, int targetPort, TimeSpan replyDelay)
    {
        var server = new TcpClient();
        lock (sockets)
        {
            sockets.Add(client);
            sockets.Add(server);
        }

        try
        {
            await server.ConnectAsync(IPAddress.Loopback, targetPort, stopping.Token);
            var requests = client.GetStream().CopyToAsync(server.GetStream(), stopping.Token);
            await Task.Delay(replyDelay, stopping.Token);
            var replies = server.GetStream().CopyToAsync(client.GetStream(), stopping.Token);
            await Task.WhenAny(requests, replies);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // One side closed or the link stopped.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }
}
