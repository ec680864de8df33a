using Vigil.Contracts.Telemetry;
using Vigil.FleetSim;

namespace Vigil.Detection.UnitTests.Support;

/// <summary>Everything a simulation emitted, kept in memory: the events in emission order and one ground-truth record per scenario.</summary>
internal sealed class SimulationRecording : ITelemetrySink, IGroundTruthSink
{
    private Dictionary<string, TelemetryEvent>? byId;

    public List<TelemetryEvent> Events { get; } = [];

    public List<GroundTruthRecord> Records { get; } = [];

    public static async Task<SimulationRecording> RunAsync(FleetSimulationOptions options, Action<FleetSimulation>? beforeRun = null)
    {
        var recording = new SimulationRecording();
        var simulation = new FleetSimulation(options, recording);
        beforeRun?.Invoke(simulation);
        await simulation.RunAsync(recording, TestContext.Current.CancellationToken);
        return recording;
    }

    /// <summary>
    /// Copies of one scenario on distinct hosts of a fleet with background activity, all starting at once. Distinct
    /// hosts keep copies from sharing join keys (the installer rule joins on host and user).
    /// </summary>
    public static Task<SimulationRecording> ScenarioAsync(string scenario, int copies, ulong seed = 7) =>
        RunAsync(Fleet(seed), simulation =>
        {
            var injected = 0;
            for (var host = 0; injected < copies; host++)
            {
                try
                {
                    simulation.InjectScenario(scenario, host);
                    injected++;
                }
                catch (ArgumentException) when (host < simulation.Options.Hosts - 1)
                {
                    // This host lacks the software the scenario needs (e.g. Word, a backup agent): try the next one.
                }
            }
        });

    /// <summary>A small fleet with steady background activity and no scheduled scenarios.</summary>
    public static FleetSimulationOptions Fleet(ulong seed) => new()
    {
        Seed = seed,
        Hosts = 40,
        EventsPerSecond = 25,
        Duration = TimeSpan.FromMinutes(8),
        ScenarioInterval = null,
    };

    public TelemetryEvent Event(string id) => (byId ??= Events.ToDictionary(e => e.Event.Id))[id];

    public IReadOnlyList<TelemetryEvent> EventsOf(GroundTruthRecord record) => record.EventIds.Select(Event).ToList();

    public ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        Events.AddRange(batch);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(GroundTruthRecord record, CancellationToken cancellationToken)
    {
        Records.Add(record);
        return ValueTask.CompletedTask;
    }
}
