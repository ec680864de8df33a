using System.Collections.Concurrent;
using System.Globalization;
using Vigil.FleetSim.Engine;
using Vigil.FleetSim.Fleet;
using Vigil.FleetSim.Randomness;
using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim;

/// <summary>
/// A simulated macOS fleet: benign background activity at a configured rate plus attack and look-alike scenarios
/// on a schedule or on demand, with ground truth for every scenario. Runs once.
/// </summary>
public sealed class FleetSimulation
{
    private readonly SimulatedFleet fleet;
    private readonly ConcurrentQueue<ScenarioRequest> requests = new();
    private readonly IGroundTruthSink? groundTruth;
    private readonly TimeProvider time;
    private long onDemandSerial;
    private long eventsEmitted;
    private int started;

    /// <param name="groundTruth">Receives one record per injected scenario; null to keep none.</param>
    /// <param name="timeProvider">Wall clock for live pacing; <see cref="TimeProvider.System"/> by default.</param>
    public FleetSimulation(FleetSimulationOptions options, IGroundTruthSink? groundTruth = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        this.groundTruth = groundTruth;
        time = timeProvider ?? TimeProvider.System;
        fleet = new SimulatedFleet(options.Seed, options.Hosts);
    }

    public FleetSimulationOptions Options { get; }

    /// <summary>Events handed to the sink so far (safe to read from any thread, e.g. for health or metrics).</summary>
    public long EventsEmitted => Interlocked.Read(ref eventsEmitted);

    /// <summary>
    /// Runs until the duration or event limit is reached or <paramref name="cancellationToken"/> is cancelled;
    /// cancellation ends the run normally: pending events are flushed and unfinished scenarios are recorded
    /// with complete=false.
    /// </summary>
    public Task<FleetRunSummary> RunAsync(ITelemetrySink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref started, 1) != 0)
        {
            throw new InvalidOperationException("A FleetSimulation runs once; create a new one for another run.");
        }

        var run = new SimulationRun(Options, fleet, requests, sink, this.groundTruth, time, () => Interlocked.Increment(ref eventsEmitted));
        return run.RunAsync(cancellationToken);
    }

    /// <summary>
    /// Queues a scenario from <see cref="ScenarioCatalog"/> to start at the simulation's current time (or at the
    /// start, if the run has not begun). Thread-safe. Without <paramref name="hostIndex"/> a host that runs the
    /// software the scenario needs is chosen. Returns the scenario id its ground-truth record will carry.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown scenario, host index out of range, or a host that cannot play it.</exception>
    public string InjectScenario(string scenarioName, int? hostIndex = null)
    {
        var play = ScenarioPlaybook.Find(scenarioName)
            ?? throw new ArgumentException($"Unknown scenario '{scenarioName}'. Known: {string.Join(", ", ScenarioCatalog.All.Select(d => d.Name))}.", nameof(scenarioName));
        var serial = Interlocked.Increment(ref onDemandSerial);
        HostProfile host;
        if (hostIndex is { } index)
        {
            if (index < 0 || index >= Options.Hosts)
            {
                throw new ArgumentException($"Host index {index} is outside the fleet (0..{Options.Hosts - 1}).", nameof(hostIndex));
            }

            host = fleet.Hosts.Describe(index);
            if (!play.Eligible(host))
            {
                throw new ArgumentException($"Host {index} ({host.Name}) lacks the software scenario '{play.Definition.Name}' needs.", nameof(hostIndex));
            }
        }
        else
        {
            host = EligibleHosts.Find(fleet.Hosts, play, new DeterministicRandom(StableHash.Of(Options.Seed, 0x0D, (ulong)serial)))
                ?? throw new ArgumentException($"No host in the fleet can play scenario '{play.Definition.Name}'.", nameof(scenarioName));
        }

        var id = $"od-{serial.ToString("D6", CultureInfo.InvariantCulture)}";
        requests.Enqueue(new ScenarioRequest(id, serial, play, host.Index));
        return id;
    }
}
