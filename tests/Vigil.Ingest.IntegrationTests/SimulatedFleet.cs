using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;

namespace Vigil.Ingest.IntegrationTests;

/// <summary>A small simulated fleet with scheduled attack and look-alike scenarios for the correlated analytics, kept in memory.</summary>
internal sealed class SimulatedFleet : ITelemetrySink, IGroundTruthSink
{
    public List<TelemetryEvent> Events { get; } = [];

    public List<GroundTruthRecord> GroundTruth { get; } = [];

    public static async Task<SimulatedFleet> RunAsync(int hosts, TimeSpan duration)
    {
        var fleet = new SimulatedFleet();
        var options = new FleetSimulationOptions
        {
            Seed = 11,
            Hosts = hosts,
            EventsPerSecond = 20,
            Duration = duration,
            ScenarioInterval = TimeSpan.FromSeconds(8),
            Analytics = IngestStack.Analytics,
        };
        await new FleetSimulation(options, fleet).RunAsync(fleet, TestContext.Current.CancellationToken);
        return fleet;
    }

    public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        Events.AddRange(batch);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(GroundTruthRecord record, CancellationToken cancellationToken)
    {
        GroundTruth.Add(record);
        return ValueTask.CompletedTask;
    }
}
