using System.Net.Sockets;

namespace Vigil.Testing;

/// <summary>
/// Chooses brokers from VIGIL_TEST_KAFKA: "embedded" (default), "container" or "both". Container runs
/// need a Docker engine; without one they are skipped with the reason, never silently passed.
/// </summary>
public static class KafkaBrokerSelection
{
    public const string Variable = "VIGIL_TEST_KAFKA";

    private static readonly Lazy<string?> DockerProblem = new(ProbeDocker);

    /// <summary>Null when tests against <paramref name="kind"/> should run, else why they are skipped.</summary>
    public static string? SkipReason(KafkaBrokerKind kind)
    {
        var selected = (Environment.GetEnvironmentVariable(Variable) ?? "embedded").Trim().ToLowerInvariant();
        var wanted = selected switch
        {
            "both" => true,
            "container" => kind == KafkaBrokerKind.Container,
            _ => kind == KafkaBrokerKind.Embedded,
        };
        if (!wanted)
        {
            return $"{Variable}={selected} does not select the {kind.ToString().ToLowerInvariant()} broker (use embedded, container or both).";
        }

        return kind == KafkaBrokerKind.Container ? DockerProblem.Value : null;
    }

    public static async Task<IKafkaBroker> StartAsync(KafkaBrokerKind kind) => kind switch
    {
        KafkaBrokerKind.Embedded => new EmbeddedKafkaBroker(),
        _ => await ContainerKafkaBroker.StartAsync(),
    };

    private static string? ProbeDocker()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        try
        {
            using var socket = host is not null && host.StartsWith("tcp://", StringComparison.Ordinal)
                ? ConnectTcp(new Uri(host))
                : ConnectUnix(host?.StartsWith("unix://", StringComparison.Ordinal) == true ? host["unix://".Length..] : "/var/run/docker.sock");
            socket.Send("GET /_ping HTTP/1.0\r\n\r\n"u8);
            var buffer = new byte[64];
            var read = socket.Receive(buffer);
            return read > 0 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).Contains(" 200 ", StringComparison.Ordinal)
                ? null
                : "the Docker engine did not answer /_ping with 200.";
        }
        catch (Exception e) when (e is SocketException or IOException or UriFormatException)
        {
            return $"no Docker engine answered ({host ?? "/var/run/docker.sock"}: {e.Message}); Kafka container tests need one.";
        }
    }

    private static Socket ConnectUnix(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 2000, SendTimeout = 2000 };
        socket.Connect(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static Socket ConnectTcp(Uri uri)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 2000, SendTimeout = 2000 };
        socket.Connect(uri.Host, uri.Port);
        return socket;
    }
}
