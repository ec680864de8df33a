using Vigil.Contracts.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>Seeded random event streams over a few hosts, users and process names, with repeated timestamps.</summary>
internal static class RandomStreams
{
    private static readonly string[] Hosts = ["mac-1", "mac-2"];
    private static readonly string[] Users = ["alice", "bob", "carol"];
    private static readonly string[] Names = ["a", "b", "c", "x"];

    /// <summary>Events in time order (@timestamp, event.sequence, event.id).</summary>
    public static List<TelemetryEvent> Sorted(Random random, int count)
    {
        var events = new List<TelemetryEvent>();
        var seconds = 0.0;
        var sequence = 0L;
        for (var i = 0; i < count; i++)
        {
            // A third of the events share the previous timestamp, so event.sequence has to order them.
            seconds += random.Next(3) == 0 ? 0 : random.NextDouble() * 1.5;
            var user = Users[random.Next(Users.Length)];
            var parent = Users[random.Next(Users.Length)];
            var name = Names[random.Next(Names.Length)];
            var e = Telemetry.Event($"e{i:D3}", seconds, "process", ev =>
            {
                ev.Process = new Process { Name = name, Parent = new Process { Name = parent } };
                ev.User = new User { Name = user, Id = user };
            }, Hosts[random.Next(Hosts.Length)], sequence++);
            events.Add(e);
        }

        return events;
    }

    /// <summary>
    /// The same events as they might arrive: each delayed by a random amount up to <paramref name="lateness"/>, so any
    /// event arrives after events at most that much newer.
    /// </summary>
    public static List<TelemetryEvent> Delayed(Random random, IReadOnlyList<TelemetryEvent> sorted, TimeSpan lateness) =>
        Arrivals(random, sorted, lateness).Select(p => p.Event).ToList();

    /// <summary>
    /// <see cref="Delayed"/> with each event's arrival time (epoch ns): an event arrives less than
    /// <paramref name="lateness"/> after any event that follows it in time order.
    /// </summary>
    public static List<(TelemetryEvent Event, long Arrival)> Arrivals(Random random, IReadOnlyList<TelemetryEvent> sorted, TimeSpan lateness)
    {
        var maxDelay = lateness.Ticks * 100;
        return sorted
            .Select(e => (Event: e, Arrival: e.Timestamp + (long)(random.NextDouble() * maxDelay)))
            .OrderBy(p => p.Arrival)
            .ToList();
    }
}
