[assembly: AssemblyFixture(typeof(Vigil.FleetSim.UnitTests.Support.BusyFleetRun))]

namespace Vigil.FleetSim.UnitTests.Support;

/// <summary>One half-hour of a 50-Mac fleet with a scenario every 20 s, shared by the tests that inspect a whole stream.</summary>
public sealed class BusyFleetRun : IAsyncLifetime
{
    public static FleetSimulationOptions Options { get; } = new()
    {
        Seed = 2025,
        Hosts = 50,
        EventsPerSecond = 50,
        Duration = TimeSpan.FromMinutes(30),
        ScenarioInterval = TimeSpan.FromSeconds(20),
    };

    internal SimulationOutcome Outcome { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Outcome = await Simulate.RunAsync(Options);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
