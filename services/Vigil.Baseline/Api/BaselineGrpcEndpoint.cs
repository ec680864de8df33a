using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Vigil.Baseline.Api;

/// <summary>Where the gRPC API listens once Kestrel has bound it (the real port when the configured one was 0).</summary>
public sealed class BaselineGrpcEndpoint
{
    private ListenOptions? listen;
    private string scheme = "http";

    /// <summary>"http://127.0.0.1:7411" ("https://" with TLS); null before the server started.</summary>
    public string? Address => listen?.IPEndPoint is { } endpoint ? $"{scheme}://{Format(endpoint)}" : null;

    internal void Bind(ListenOptions options, bool tls)
    {
        listen = options;
        scheme = tls ? "https" : "http";
    }

    private static string Format(IPEndPoint endpoint) =>
        endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : endpoint.ToString();
}
