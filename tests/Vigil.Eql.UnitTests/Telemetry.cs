using Vigil.Contracts.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>Builds telemetry events for tests: an id, a time in seconds after a fixed origin, a category, and any other fields.</summary>
internal static class Telemetry
{
    /// <summary>2024-01-01T00:00:00Z in epoch nanoseconds.</summary>
    public const long Origin = 1_704_067_200_000_000_000;

    public static long At(double seconds) => Origin + (long)Math.Round(seconds * 1_000_000_000);

    public static TelemetryEvent Event(string id, double seconds, string category, Action<TelemetryEvent>? configure = null, string host = "host-1", long sequence = 0)
    {
        var e = new TelemetryEvent
        {
            Timestamp = At(seconds),
            Event = new Event { Id = id, Sequence = sequence, Category = { category } },
            Host = new Host { Id = host, Os = new Os { Type = "macos" } },
        };
        configure?.Invoke(e);
        return e;
    }

    /// <summary>A process event named <paramref name="name"/> run by <paramref name="user"/>.</summary>
    public static TelemetryEvent Process(string id, double seconds, string name, string user = "root", string host = "host-1", long sequence = 0) =>
        Event(id, seconds, "process", e =>
        {
            e.Process = new Process { Name = name };
            e.User = new User { Name = user };
        }, host, sequence);
}
