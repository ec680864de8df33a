namespace Vigil.Agent;

/// <summary>Settings of vigil-agent (configuration section "Agent").</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>host.id of every event and the Kafka key. Use the Mac's hardware UUID (system_profiler SPHardwareDataType).</summary>
    public string HostId { get; set; } = "";

    /// <summary>host.name; empty takes the machine name.</summary>
    public string HostName { get; set; } = "";

    public EsloggerSettings Eslogger { get; set; } = new();

    public NetworkSettings Network { get; set; } = new();

    public BufferSettings Buffer { get; set; } = new();
}

/// <summary>The eslogger child process (Agent:Eslogger).</summary>
public sealed class EsloggerSettings
{
    /// <summary>
    /// The event types a macOS agent subscribes to: process lifecycle, file changes, quarantine removal, persistence,
    /// Gatekeeper overrides (macOS 15+), directory-service group changes and TCC changes (macOS 15.4+). eslogger
    /// refuses event names the running macOS does not know, so older Macs drop the newer names from this list.
    /// </summary>
    public static readonly string[] DefaultEvents =
    [
        "exec", "fork", "exit", "create", "write", "close", "rename", "open", "unlink", "deleteextattr",
        "btm_launch_item_add", "gatekeeper_user_override", "od_group_add", "od_group_remove", "tcc_modify",
    ];

    public string Executable { get; set; } = "/usr/bin/eslogger";

    /// <summary>Arguments (event names); empty means <see cref="DefaultEvents"/>.</summary>
    public List<string> Arguments { get; set; } = [];

    /// <summary>Wait before restarting eslogger after it exits.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Processes remembered for arguments and parents.</summary>
    public int ProcessTableCapacity { get; set; } = 8192;
}

/// <summary>The sampled, process-attributed network source (Agent:Network).</summary>
public sealed class NetworkSettings
{
    public bool Enabled { get; set; } = true;

    public string Executable { get; set; } = "/usr/bin/nettop";

    /// <summary>One CSV sample of every socket with its process, numeric addresses and exact byte counts.</summary>
    public List<string> Arguments { get; set; } = [];

    public static readonly string[] DefaultArguments = ["-L", "1", "-n", "-x", "-J", "time,interface,state,bytes_in,bytes_out"];

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The on-disk buffer between the sources and Kafka (Agent:Buffer).</summary>
public sealed class BufferSettings
{
    public string Directory { get; set; } = "/var/db/vigil-agent/buffer";

    /// <summary>Most bytes kept on disk; beyond it the oldest segments are dropped (and counted).</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>A segment is sealed (and becomes publishable) at this size, or whenever the publisher is idle.</summary>
    public long SegmentBytes { get; set; } = 1024 * 1024;
}
