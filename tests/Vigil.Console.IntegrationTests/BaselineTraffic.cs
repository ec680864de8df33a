using Vigil.Contracts.Telemetry;

namespace Vigil.Console.IntegrationTests;

/// <summary>
/// Network telemetry of a signed sync agent on one Mac, for the AN1227 baseline: DNS lookups, HTTPS connections and
/// their ends with byte counts (log-normal around a typical size), then the anomalies an analyst investigates.
/// </summary>
internal sealed class BaselineTraffic(string hostId)
{
    public const long Second = 1_000_000_000;
    public const long Bucket = 10 * Second;
    public const long Start = 1_764_892_800L * Second;
    private int sequence;

    public string HostId { get; } = hostId;

    public static Process SyncAgent { get; } = new()
    {
        EntityId = "sync-agent-1",
        Pid = 4242,
        Name = "sync-agent",
        Executable = "/Applications/Sync.app/Contents/MacOS/sync-agent",
        CodeSignature = new CodeSignature { Exists = true, Trusted = true, TeamId = "TEAM123456", SigningId = "com.example.sync" },
    };

    /// <summary>One connection per bucket: a lookup, the connection and its end with ~2 KB sent and ~20 KB received.</summary>
    public IEnumerable<TelemetryEvent> Normal(int count, long from, Random random)
    {
        for (var i = 0; i < count; i++)
        {
            var time = from + (i * Bucket);
            yield return Lookup(time);
            yield return Connect(time + 1_000_000);
            yield return Disconnect(time + 200_000_000, (long)(2_000 * Math.Exp(0.3 * Gaussian(random))), (long)(20_000 * Math.Exp(0.3 * Gaussian(random))));
        }
    }

    public TelemetryEvent Connect(long time, string protocol = "https", long port = 443)
    {
        var e = Event(time, "start", "connection_attempted");
        e.Network = new Network { Transport = "tcp", Protocol = protocol, Direction = "egress", Type = "ipv4" };
        e.Source = new Endpoint { Ip = "10.0.0.8", Port = 51000 };
        e.Destination = new Endpoint { Domain = "api.example.com", Ip = "203.0.113.10", Port = port };
        return e;
    }

    public TelemetryEvent Disconnect(long time, long sent, long received)
    {
        var e = Event(time, "end", "disconnect_received");
        e.Network = new Network { Transport = "tcp", Protocol = "https", Direction = "egress", Type = "ipv4", Bytes = sent + received };
        e.Source = new Endpoint { Ip = "10.0.0.8", Port = 51000, Bytes = sent };
        e.Destination = new Endpoint { Domain = "api.example.com", Ip = "203.0.113.10", Port = 443, Bytes = received };
        return e;
    }

    private TelemetryEvent Lookup(long time)
    {
        var e = Event(time, "protocol", "lookup_requested");
        e.Network = new Network { Transport = "udp", Protocol = "dns", Direction = "egress", Type = "ipv4" };
        e.Dns = new Dns { Question = new DnsQuestion { Name = "api.example.com", Type = "A" } };
        return e;
    }

    private TelemetryEvent Event(long time, string type, string action)
    {
        var e = new TelemetryEvent
        {
            Timestamp = time,
            Event = new Event { Id = $"{HostId}-{++sequence:D6}", Sequence = sequence, Action = action, Kind = "event", Category = { "network" }, Type = { type } },
            Host = new Host { Id = HostId, Name = HostId, Os = new Os { Type = "macos" } },
            User = new User { Id = "501", Name = "alice" },
            Process = SyncAgent,
        };
        return e;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
