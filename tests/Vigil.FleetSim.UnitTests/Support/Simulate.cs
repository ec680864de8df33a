namespace Vigil.FleetSim.UnitTests.Support;

/// <summary>Runs simulations into memory.</summary>
internal static class Simulate
{
    /// <summary>A quiet fleet: little background, no schedule, so injected scenarios are easy to study.</summary>
    public static FleetSimulationOptions Quiet(ulong seed = 7) => new()
    {
        Seed = seed,
        Hosts = 20,
        EventsPerSecond = 1,
        Duration = TimeSpan.FromMinutes(30),
        ScenarioInterval = null,
    };

    public static async Task<SimulationOutcome> RunAsync(FleetSimulationOptions options, Action<FleetSimulation>? beforeRun = null, TimeProvider? clock = null)
    {
        var sink = new RecordingSink(clock);
        var groundTruth = new RecordingGroundTruth(sink);
        var simulation = new FleetSimulation(options, groundTruth, clock);
        beforeRun?.Invoke(simulation);
        var summary = await simulation.RunAsync(sink, TestContext.Current.CancellationToken);
        return new SimulationOutcome(sink, groundTruth, summary);
    }

    /// <summary>Injects <paramref name="copies"/> instances of a scenario into a quiet fleet and runs until all finish.</summary>
    public static Task<SimulationOutcome> ScenarioAsync(string scenario, int copies = 12, ulong seed = 7) =>
        RunAsync(Quiet(seed), simulation =>
        {
            for (var i = 0; i < copies; i++)
            {
                simulation.InjectScenario(scenario);
            }
        });
}
