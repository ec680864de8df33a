using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Vigil.Testing;

/// <summary>
/// Sends one command to a Redis server over a fresh connection and returns the raw reply line (or bulk text).
/// Fixtures use it to see whether a server they started answers, without depending on a Redis client library.
/// </summary>
internal static class RespProbe
{
    /// <summary>The reply as "+PONG", "-NOAUTH ...", ":1" or the text of a bulk string.</summary>
    public static async Task<string> SendAsync(int port, RedisServerTls? tls, CancellationToken cancellationToken, params string[] command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        Stream stream = client.GetStream();
        if (tls is not null)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            stream = ssl;
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",

                // The probe only asks whether the server is up; validating its certificate is what the tests do.
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            };
            if (tls.RequiredClient is { } clientCertificate)
            {
                options.ClientCertificates = [X509Certificate2.CreateFromPemFile(clientCertificate.CertificatePath, clientCertificate.KeyPath)];
            }

            await ssl.AuthenticateAsClientAsync(options, cancellationToken);
        }

        await using (stream)
        {
            var request = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
            foreach (var part in command)
            {
                request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
            var reader = new StreamReader(stream, Encoding.UTF8);
            var line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("The server closed the connection without replying.");
            if (!line.StartsWith('$') || line == "$-1")
            {
                return line;
            }

            var length = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            var buffer = new char[length];
            await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
            return new string(buffer);
        }
    }
}
