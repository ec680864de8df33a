using System.Net;
using StackExchange.Redis;

namespace Vigil.Redis;

/// <summary>Outcome of a successful readiness probe: every known primary answered PING.</summary>
/// <param name="Latency">Slowest PING round trip among the primaries.</param>
/// <param name="Primaries">The primaries that answered.</param>
/// <param name="Warning">A configuration that works but is not what was intended (e.g. Cluster mode against a standalone server).</param>
public sealed record RedisPing(TimeSpan Latency, IReadOnlyList<EndPoint> Primaries, string? Warning)
{
    /// <summary>The protocol the connections to the primaries speak (RESP2 if any of them does), as negotiated at connect.</summary>
    public RedisProtocol? Protocol { get; init; }
}
