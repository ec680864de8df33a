using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.Correlator.UnitTests.Support;

/// <summary>Hand-built telemetry for the test pack: an installer's shell, curl's connection, and noise.</summary>
internal static class Telemetry
{
    public const long T0 = 1_763_800_000_000_000_000L;

    public static long Seconds(double s) => (long)(s * 1_000_000_000);

    public static TelemetryEvent Shell(string host, long timestamp, string id, string? entity = null, string user = "root") => Base(host, timestamp, id, user, "process", "exec", new Process
    {
        EntityId = entity ?? $"{host}-bash",
        Name = "bash",
        Executable = "/bin/bash",
        Parent = new Process { EntityId = $"{host}-installer", Name = "installer", Executable = "/usr/sbin/installer" },
    });

    public static TelemetryEvent Curl(string host, long timestamp, string id, string user = "root") => Base(host, timestamp, id, user, "network", "connection_attempted", new Process
    {
        EntityId = $"{host}-curl",
        Name = "curl",
        Executable = "/usr/bin/curl",
    });

    public static TelemetryEvent Noise(string host, long timestamp, string id) => Base(host, timestamp, id, "root", "file", "open", new Process
    {
        EntityId = $"{host}-finder",
        Name = "Finder",
        Executable = "/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder",
    });

    public static List<ConsumedRecord<TelemetryEvent>> Records(int partition, params TelemetryEvent[] events) =>
        events.Select((e, i) => new ConsumedRecord<TelemetryEvent>("telemetry", partition, i, e.Host?.Id, DateTimeOffset.UnixEpoch, e)).ToList();

    private static TelemetryEvent Base(string host, long timestamp, string id, string user, string category, string action, Process process) => new()
    {
        Timestamp = timestamp,
        Event = new Event { Id = id, Sequence = timestamp / 1000, Category = { category }, Type = { "start" }, Action = action, Kind = "event" },
        Host = new Host { Id = host, Name = host, Os = new Os { Type = "macos" } },
        User = new User { Id = user == "root" ? "0" : "501", Name = user },
        Process = process,
    };
}
