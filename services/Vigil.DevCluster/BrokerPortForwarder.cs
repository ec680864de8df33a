using System.Net;
using System.Net.Sockets;

namespace Vigil.DevCluster;

/// <summary>
/// Relays TCP connections from a fixed loopback port to a mock broker's random port, since the mock
/// cluster cannot bind chosen ports itself.
/// </summary>
internal sealed class BrokerPortForwarder : IDisposable
{
    private readonly TcpListener listener;
    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private readonly CancellationTokenSource stopping = new();

    private BrokerPortForwarder(TcpListener listener, string upstream)
    {
        this.listener = listener;
        var colon = upstream.LastIndexOf(':');
        upstreamHost = upstream[..colon];
        upstreamPort = int.Parse(upstream[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static BrokerPortForwarder Start(int port, string upstream)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException($"Port 127.0.0.1:{port} is already in use: is another dev cluster running? Choose another with --base-port.", e);
        }

        var forwarder = new BrokerPortForwarder(listener, upstream);
        _ = forwarder.AcceptLoopAsync();
        return forwarder;
    }

    public void Dispose()
    {
        stopping.Cancel();
        listener.Stop();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(upstreamHost, upstreamPort, stopping.Token);
                await using var a = client.GetStream();
                await using var b = upstream.GetStream();
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                var first = await Task.WhenAny(a.CopyToAsync(b, linked.Token), b.CopyToAsync(a, linked.Token));
                await linked.CancelAsync();
                await first;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A client or broker closed its side; the other side is closed by the usings.
            }
        }
    }
}
