using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Vigil.Baseline.Api;

/// <summary>
/// Binds Kestrel to the HTTP URLs of --urls (health, metrics; HTTP/1.1) and to the gRPC URL (HTTP/2 only, since gRPC
/// without TLS has no protocol negotiation). Done in code because Kestrel ignores --urls once any endpoint is.
/// </summary>
internal static class KestrelEndpoints
{
    public static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols, Action<ListenOptions>? bound = null)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"'{url}' is not an http:// URL to listen on.");
        }

        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            bound?.Invoke(listen);
        }

        var host = uri.Host.Trim('[', ']');
        if (host is "*" or "+" or "0.0.0.0" or "::")
        {
            kestrel.ListenAnyIP(uri.Port, Configure);
        }
        else if (host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, Configure);
        }
        else if (IPAddress.TryParse(host, out var address))
        {
            kestrel.Listen(address, uri.Port, Configure);
        }
        else
        {
            throw new InvalidOperationException($"Cannot listen on '{url}': use an IP address, localhost or *.");
        }
    }
}
