using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;

namespace Vigil.Benchmarks;

/// <summary>Keeps the simulator's events in memory, as the workload every benchmark replays.</summary>
internal sealed class CollectingSink : ITelemetrySink
{
    public List<TelemetryEvent> Events { get; } = [];

    public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        Events.AddRange(batch);
        return ValueTask.CompletedTask;
    }

    /// <summary>A seeded fleet: background activity plus a scenario every <paramref name="scenarioInterval"/> (default 5) simulated seconds, offline.</summary>
    public static async Task<List<TelemetryEvent>> SimulateAsync(int hosts, long events, TimeSpan? scenarioInterval = null, double eventsPerSecond = 2000)
    {
        var sink = new CollectingSink();
        var simulation = new FleetSimulation(new FleetSimulationOptions
        {
            Seed = 42,
            Hosts = hosts,
            EventsPerSecond = eventsPerSecond,
            MaxEvents = events,
            ScenarioInterval = scenarioInterval ?? TimeSpan.FromSeconds(5),
        });
        await simulation.RunAsync(sink);
        return sink.Events;
    }
}
