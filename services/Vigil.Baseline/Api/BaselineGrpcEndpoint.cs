using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Vigil.Baseline.Api;

/// <summary>Where the gRPC API listens once Kestrel has bound it (the real port when the configured one was 0).</summary>
public sealed class BaselineGrpcEndpoint
{
    private ListenOptions? listen;

    /// <summary>"http://127.0.0.1:7411"; null before the server started.</summary>
    public string? Address => listen?.IPEndPoint is { } endpoint ? $"http://{Format(endpoint)}" : null;

    internal void Bind(ListenOptions options) => listen = options;

    private static string Format(IPEndPoint endpoint) =>
        endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : endpoint.ToString();
}
