using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;

namespace Vigil.FleetSim.Activities;

/// <summary>Network exchanges many activities share: a lookup, a connection, and its end with byte counts.</summary>
internal static class Traffic
{
    /// <summary>DNS lookup, connection start and end for a request to a named service.</summary>
    public static IEnumerable<TelemetryEvent> Exchange(
        ActivityContext c, SimProcess process, string domain, long bytesSent, long bytesReceived, int port = 443, string protocol = "https")
    {
        yield return c.Lookup(process, domain);
        if (c.Trace is null)
        {
            yield return c.LookupResult(process, domain);
        }

        c.WaitMillis(2, 60);
        var connection = c.Connect(process, NetworkPeer.Named(domain, port), protocol);
        yield return c.ConnectionAttempted(connection);
        c.Wait(TransferTime(c, bytesSent + bytesReceived));
        yield return c.Disconnected(connection, bytesSent, bytesReceived);
    }

    /// <summary>Roughly how long a transfer of this size takes on an office or home link (5–50 MB/s), plus latency.</summary>
    public static TimeSpan TransferTime(ActivityContext c, long bytes) =>
        TimeSpan.FromMilliseconds(c.Rng.Between(40, 400) + (bytes / c.Rng.Between(5_000.0, 50_000.0)));

    /// <summary>A typical small API request: a few KB each way.</summary>
    public static (long Sent, long Received) SmallRequest(ActivityContext c) =>
        (c.Rng.Between(600L, 4_000L), c.Rng.Between(1_500L, 24_000L));
}
