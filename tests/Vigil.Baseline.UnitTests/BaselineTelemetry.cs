using Vigil.Contracts.Telemetry;

namespace Vigil.Baseline.UnitTests;

/// <summary>
/// Telemetry of one Mac for baseline tests, in the shapes telemetry.proto lists: process execs, connection starts
/// and ends (with byte counts) and DNS lookups. Event ids are unique per host; times are event times in ns.
/// </summary>
internal sealed class BaselineTelemetry(string hostId)
{
    public const long Second = 1_000_000_000;
    public const long Minute = 60 * Second;

    /// <summary>2025-03-03T09:00:00Z, the simulator's default start.</summary>
    public const long Start = 1_740_992_400L * Second;

    private int sequence;

    /// <summary>Profiles that mature after 10 observations over 5 minutes, in 10 s buckets: tests reach alerting in a few simulated minutes.</summary>
    public static BaselineOptions QuickLearningOptions() => new()
    {
        MinObservations = 10,
        MinAge = TimeSpan.FromMinutes(5),
        BucketWidth = TimeSpan.FromSeconds(10),
        MinVolumeSamples = 20,
        VolumeFloorBytes = 10_000,
    };

    public string HostId { get; } = hostId;

    public static Process SyncAgent(string entityId) => new()
    {
        EntityId = entityId,
        Pid = 4242,
        Name = "sync-agent",
        Executable = "/Applications/Sync.app/Contents/MacOS/sync-agent",
        CodeSignature = new CodeSignature { Exists = true, Trusted = true, TeamId = "TEAM123456", SigningId = "com.example.sync" },
    };

    public static Process Apple(string entityId, string name, string executable, Process? parent = null, Process? effectiveParent = null)
    {
        var process = new Process
        {
            EntityId = entityId,
            Pid = 100 + (entityId.GetHashCode() & 0x7fff),
            Name = name,
            Executable = executable,
            CodeSignature = new CodeSignature { Exists = true, Trusted = true, SigningId = $"com.apple.{name}" },
            Parent = parent is null ? null : Summary(parent),
        };
        if (effectiveParent is not null)
        {
            process.Ext = new ProcessExt { EffectiveParent = Summary(effectiveParent) };
        }

        return process;
    }

    public TelemetryEvent Exec(Process process, long time) => Event(process, time, "process", "start", "exec");

    public TelemetryEvent Connect(Process process, long time, string protocol = "https", long port = 443, string destination = "api.example.com", string transport = "tcp")
    {
        var e = Event(process, time, "network", "start", "connection_attempted");
        e.Network = new Network { Transport = transport, Protocol = protocol, Direction = "egress", Type = "ipv4" };
        e.Source = new Endpoint { Ip = "10.0.0.8", Port = 51000 };
        e.Destination = new Endpoint { Domain = destination, Ip = "203.0.113.10", Port = port };
        return e;
    }

    public TelemetryEvent Disconnect(Process process, long time, long sent, long received, string protocol = "https", long port = 443, string destination = "api.example.com")
    {
        var e = Event(process, time, "network", "end", "disconnect_received");
        e.Network = new Network { Transport = "tcp", Protocol = protocol, Direction = "egress", Type = "ipv4", Bytes = sent + received };
        e.Source = new Endpoint { Ip = "10.0.0.8", Port = 51000, Bytes = sent };
        e.Destination = new Endpoint { Domain = destination, Ip = "203.0.113.10", Port = port, Bytes = received };
        return e;
    }

    public TelemetryEvent Lookup(Process process, long time, string domain = "api.example.com")
    {
        var e = Event(process, time, "network", "protocol", "lookup_requested");
        e.Network = new Network { Transport = "udp", Protocol = "dns", Direction = "egress", Type = "ipv4" };
        e.Dns = new Dns { Question = new DnsQuestion { Name = domain, Type = "A" } };
        return e;
    }

    public TelemetryEvent FileOpen(Process process, long time, string path)
    {
        var e = Event(process, time, "file", "access", "open");
        e.File = new Vigil.Contracts.Telemetry.File { Path = path, Name = Path.GetFileName(path) };
        return e;
    }

    private static Process Summary(Process process) => new()
    {
        EntityId = process.EntityId,
        Pid = process.Pid,
        Name = process.Name,
        Executable = process.Executable,
        CodeSignature = process.CodeSignature,
    };

    private TelemetryEvent Event(Process process, long time, string category, string type, string action)
    {
        var e = new TelemetryEvent
        {
            Timestamp = time,
            Event = new Event { Id = $"{HostId}-{++sequence:D6}", Sequence = sequence, Action = action, Kind = "event" },
            Host = new Host { Id = HostId, Name = HostId, Os = new Os { Type = "macos" } },
            User = new User { Id = "501", Name = "alice" },
            Process = process,
        };
        e.Event.Category.Add(category);
        e.Event.Type.Add(type);
        return e;
    }
}
