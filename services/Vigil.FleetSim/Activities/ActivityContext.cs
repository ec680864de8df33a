using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Endpoint;
using Vigil.FleetSim.Fleet;
using Vigil.FleetSim.Randomness;
using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim.Activities;

/// <summary>
/// What an activity script works with: its host, its own random stream, a clock it moves forward, and builders
/// for every event kind in the shapes telemetry.proto's header lists (category / type / action).
/// </summary>
internal sealed class ActivityContext
{
    private const long NanosPerMilli = 1_000_000;
    private const string ProcessDataset = "endpoint.events.process";
    private const string FileDataset = "endpoint.events.file";
    private const string NetworkDataset = "endpoint.events.network";
    private const string LibraryDataset = "endpoint.events.library";
    private const string SecurityDataset = "endpoint.events.security";

    // Events of the kinds added after the first release (DNS results, quarantine removal, persistence, Gatekeeper,
    // group and TCC changes) number their ids from here, so adding them never shifts the ids of an activity's
    // other events.
    private const int LaterKindsFirstStep = 1_000_000;

    private readonly SimulatedFleet fleet;
    private readonly ActivityKey key;
    private readonly long startTime;
    private readonly Queue<TelemetryEvent> preludes = new();
    private int step;
    private int laterKindsStep = LaterKindsFirstStep;
    private int spawns;

    public ActivityContext(SimulatedFleet fleet, HostProfile host, ActivityKey key, long start, ScenarioTrace? trace)
    {
        this.fleet = fleet;
        this.key = key;
        startTime = start;
        Host = host;
        Now = start;
        Trace = trace;
        Rng = new DeterministicRandom(StableHash.Of(fleet.Seed, key.Value));
    }

    public HostProfile Host { get; }

    public DeterministicRandom Rng { get; }

    /// <summary>The time the next event gets, nanoseconds since the epoch.</summary>
    public long Now { get; private set; }

    public ScenarioTrace? Trace { get; }

    public string Home => Host.Home;

    public SimUser User => Host.User;

    public SimProcess Launchd => this.fleet.Residents.Launchd(Host);

    /// <summary>Exec events of residents launched for this activity; they come before its own events.</summary>
    public Queue<TelemetryEvent> Preludes => preludes;

    public void Wait(TimeSpan delay) => Now += delay.Ticks * 100;

    /// <summary>Moves the clock by a random delay in [min, max] milliseconds, with sub-millisecond jitter.</summary>
    public void WaitMillis(int min, int max) => Now += (Rng.Between(min, max) * NanosPerMilli) + Rng.Between(0, 999_999);

    public void WaitSeconds(double min, double max) => Now += (long)(Rng.Between(min, max) * 1_000_000_000);

    /// <summary>
    /// A long-lived process of this host. The first activity that needs it launches it (an exec under launchd,
    /// emitted before the activity's own events), so every parent is seen starting before its children.
    /// </summary>
    public SimProcess Resident(ResidentKind kind)
    {
        var process = this.fleet.Residents.Describe(Host, kind);
        if (this.fleet.Ledger.MarkLaunched(Host.Index, kind))
        {
            // Launching later than the activity's start could place this exec after a sibling activity's use of it.
            if (Now != startTime)
            {
                throw new InvalidOperationException($"Resident {kind} must be acquired at the start of an activity.");
            }

            preludes.Enqueue(Exec(process));
        }

        return process;
    }

    /// <summary>A new process, started now, with a fresh entity id.</summary>
    public SimProcess Spawn(
        SimProcess parent,
        ExecutableImage image,
        IReadOnlyList<string> args,
        string? workingDirectory = null,
        SimUser? user = null,
        SimProcess? effectiveParent = null,
        bool interactive = false) =>
        new(this.fleet.Ids.ProcessEntityId(this.key, spawns++), Rng.Between(1200, 98000), image, args,
            workingDirectory ?? parent.WorkingDirectory, user ?? parent.User, Now, parent, effectiveParent, interactive);

    public TelemetryEvent Exec(SimProcess process)
    {
        var e = NewEvent(process, "process", "start", "exec", ProcessDataset);
        e.Process.Start = process.Start != 0 ? process.Start : Now;
        return e;
    }

    public TelemetryEvent Exit(SimProcess process, int exitCode = 0)
    {
        var e = NewEvent(process, "process", "end", "end", ProcessDataset);
        e.Process.ExitCode = exitCode;
        return e;
    }

    public TelemetryEvent CreateFile(SimProcess process, string path, long size, string? headerHex = null, bool quarantined = false) =>
        FileEvent(process, "creation", "creation", path, size, headerHex, quarantined);

    public TelemetryEvent ModifyFile(SimProcess process, string path, long size, string? headerHex = null) =>
        FileEvent(process, "change", "modification", path, size, headerHex, false);

    public TelemetryEvent OpenFile(SimProcess process, string path, long size = 0) =>
        FileEvent(process, "access", "open", path, size, null, false);

    public TelemetryEvent RenameFile(SimProcess process, string from, string to, long size)
    {
        var e = FileEvent(process, "change", "rename", to, size, null, false);
        e.File.Ext ??= new FileExt();
        e.File.Ext.Original = new FileOriginal
        {
            Path = from,
            Name = Path.GetFileName(from),
            Extension = Path.GetExtension(from).TrimStart('.'),
        };
        return e;
    }

    /// <summary>Opens a connection from an ephemeral port; emit <see cref="ConnectionAttempted"/> for it.</summary>
    public Connection Connect(SimProcess process, NetworkPeer peer, string protocol, string transport = "tcp") =>
        new(process, peer, transport, protocol, Rng.Between(49152, 65535));

    public TelemetryEvent ConnectionAttempted(Connection connection) =>
        NetworkEvent(connection, "start", "connection_attempted");

    /// <summary>The end of a connection, with what the host sent (source.bytes) and received (destination.bytes).</summary>
    public TelemetryEvent Disconnected(Connection connection, long bytesSent, long bytesReceived)
    {
        var e = NetworkEvent(connection, "end", "disconnect_received");
        e.Source.Bytes = bytesSent;
        e.Source.Packets = Math.Max(1, bytesSent / 1400);
        e.Destination.Bytes = bytesReceived;
        e.Destination.Packets = Math.Max(1, bytesReceived / 1400);
        e.Network.Bytes = bytesSent + bytesReceived;
        e.Network.Packets = e.Source.Packets + e.Destination.Packets;
        return e;
    }

    public TelemetryEvent Lookup(SimProcess process, string domain)
    {
        var e = NewEvent(process, "network", "protocol", "lookup_requested", NetworkDataset);
        e.Network = new Network { Transport = "udp", Protocol = "dns", Direction = "egress", Type = "ipv4" };
        e.Dns = new Dns { Question = new DnsQuestion { Name = domain, Type = "A" } };
        e.Dns.ResolvedIp.Add(Internet.Resolve(domain));
        return e;
    }

    /// <summary>The answer to a DNS lookup (network / protocol / lookup_result with dns.resolved_ip).</summary>
    public TelemetryEvent LookupResult(SimProcess process, string domain)
    {
        var e = NewEvent(process, "network", "protocol", "lookup_result", NetworkDataset, laterKind: true);
        e.Network = new Network { Transport = "udp", Protocol = "dns", Direction = "egress", Type = "ipv4" };
        e.Dns = new Dns { Question = new DnsQuestion { Name = domain, Type = "A" } };
        e.Dns.ResolvedIp.Add(Internet.Resolve(domain));
        return e;
    }

    /// <summary>com.apple.quarantine removed from <paramref name="path"/> by <paramref name="process"/>.</summary>
    public TelemetryEvent QuarantineRemoved(SimProcess process, string path)
    {
        var e = FileEvent(process, "change", "extended_attributes_delete", path, 0, null, false, laterKind: true);
        e.File.ClearSize();
        return e;
    }

    /// <summary>A launch agent or daemon plist registered (Elastic's launch_daemon persistence event).</summary>
    public TelemetryEvent LaunchItem(SimProcess process, string plistPath, string label, IReadOnlyList<string> programArguments, bool runAtLoad, bool keepAlive)
    {
        var e = FileEvent(process, "creation", "launch_daemon", plistPath, 0, null, false, laterKind: true);
        e.File.ClearSize();
        e.Persistence = new Persistence { Name = label, Path = plistPath, Runatload = runAtLoad, Keepalive = keepAlive };
        e.Persistence.Args.AddRange(programArguments);
        return e;
    }

    /// <summary>The user let Gatekeeper run <paramref name="path"/> ("Open Anyway"); syspolicyd reports it.</summary>
    public TelemetryEvent GatekeeperOverride(SimProcess process, string path, CodeSignatureFacts signature)
    {
        var e = NewEvent(process, "configuration", "change", "gatekeeper_override", SecurityDataset, laterKind: true);
        var name = Path.GetFileName(path);
        e.File = new Vigil.Contracts.Telemetry.File { Path = path, Name = name, Directory = Path.GetDirectoryName(path) ?? "/", CodeSignature = signature.ToProto() };
        return e;
    }

    /// <summary>A directory-service group membership change (od_group_add / od_group_remove): user.* is the member.</summary>
    public TelemetryEvent GroupMembership(SimProcess process, string group, SimUser member, bool added)
    {
        var e = NewEvent(process, "configuration", "change", added ? "od_group_add" : "od_group_remove", SecurityDataset, laterKind: true);
        e.User = new User { Name = member.Name, Id = member.Id };
        e.Group = new Group { Name = group };
        return e;
    }

    /// <summary>A TCC permission change carried out by tccd for <paramref name="client"/> (Effective_process).</summary>
    public TelemetryEvent TccChange(SimProcess tccd, SimProcess client, string service, string identity, string right, string updateType, string reason)
    {
        var e = NewEvent(tccd, "configuration", "change", "tcc_modify", SecurityDataset, laterKind: true);
        e.Tcc = new Tcc { Service = service, Identity = identity, IdentityType = identity.StartsWith('/') ? "executable_path" : "bundle_id", Right = right, UpdateType = updateType, Reason = reason };
        e.EffectiveProcess = client.ToProto(client.Start);
        return e;
    }

    public TelemetryEvent LoadLibrary(SimProcess process, ExecutableImage library)
    {
        var e = NewEvent(process, "library", "start", "load", LibraryDataset);
        e.Dll = new Dll
        {
            Name = library.Name,
            Path = library.Path,
            CodeSignature = library.Signature.ToProto(),
            Hash = new Hash { Sha256 = library.Sha256 },
        };
        return e;
    }

    /// <summary>A script file read by an interpreter; dll.* names the script.</summary>
    public TelemetryEvent LoadScript(SimProcess process, string scriptPath)
    {
        var e = NewEvent(process, "library", "start", "script_load", LibraryDataset);
        e.Dll = new Dll
        {
            Name = Path.GetFileName(scriptPath),
            Path = scriptPath,
            CodeSignature = CodeSignatureFacts.Unsigned.ToProto(),
            Hash = new Hash { Sha256 = ExecutableImage.UnsignedAt(scriptPath).Sha256 },
        };
        return e;
    }

    /// <summary>Marks an event as one a detection of this scenario should cite, in step order.</summary>
    public TelemetryEvent Evidence(TelemetryEvent e)
    {
        (Trace ?? throw new InvalidOperationException("Only scenarios carry evidence.")).MarkEvidence(e);
        return e;
    }

    public void Describe(string description) => Trace?.Describe(description);

    private TelemetryEvent FileEvent(SimProcess process, string type, string action, string path, long size, string? headerHex, bool quarantined, bool laterKind = false)
    {
        var e = NewEvent(process, "file", type, action, FileDataset, laterKind);
        var name = Path.GetFileName(path);
        var extension = Path.GetExtension(name);
        e.File = new Vigil.Contracts.Telemetry.File
        {
            Path = path,
            Name = name,
            Directory = Path.GetDirectoryName(path) ?? "/",
            Extension = extension.Length > 1 ? extension[1..] : "",
            Size = size,
        };
        if (headerHex is not null || quarantined)
        {
            e.File.Ext = new FileExt { HeaderBytes = headerHex ?? "", Quarantined = quarantined };
        }

        return e;
    }

    private TelemetryEvent NetworkEvent(Connection connection, string type, string action)
    {
        var e = NewEvent(connection.Process, "network", type, action, NetworkDataset);
        e.Network = new Network { Transport = connection.Transport, Protocol = connection.Protocol, Direction = "egress", Type = "ipv4" };
        e.Source = new Vigil.Contracts.Telemetry.Endpoint { Ip = Host.Ip, Port = connection.SourcePort };
        e.Destination = new Vigil.Contracts.Telemetry.Endpoint
        {
            Ip = connection.Peer.Ip,
            Port = connection.Peer.Port,
            Domain = connection.Peer.Domain ?? "",
        };
        return e;
    }

    private TelemetryEvent NewEvent(SimProcess process, string category, string type, string action, string dataset, bool laterKind = false)
    {
        var e = new TelemetryEvent
        {
            Timestamp = Now,
            Event = new Event
            {
                Id = this.fleet.Ids.EventId(this.key, laterKind ? laterKindsStep++ : step++),
                Kind = "event",
                Action = action,
                Module = "endpoint",
                Dataset = dataset,
            },
            Host = Host.ToProto(),
            User = process.User.ToProto(),
            Process = process.ToProto(process.Start),
            Agent = Host.AgentProto(),
        };
        e.Event.Category.Add(category);
        e.Event.Type.Add(type);
        Trace?.Record(e);
        return e;
    }
}
