using System.Net;
using System.Net.Sockets;

namespace Vigil.Testing;

/// <summary>
/// Loopback ports for the servers a test starts. They come from below the kernel's ephemeral range (32768-60999 on
/// Linux), so a parallel test's outgoing connection cannot take one between the check here and the server's own bind,
/// which a port from bind(0) allows. <see cref="Block"/> gives consecutive free ports for a server that listens on
/// BasePort + i (the dev broker runs three brokers from one base port). No port is handed out twice in one process.
/// </summary>
public static class FreePorts
{
    private const int Lowest = 20000;
    private const int Highest = 32000;
    private static readonly HashSet<int> HandedOut = [];

    public static int One() => Block(1);

    public static int Block(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var first = Random.Shared.Next(Lowest, Highest - count);
                var ports = Enumerable.Range(first, count).ToArray();
                if (ports.Any(HandedOut.Contains) || !ports.All(Bindable))
                {
                    continue;
                }

                HandedOut.UnionWith(ports);
                return first;
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free loopback ports between {Lowest} and {Highest}");
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
