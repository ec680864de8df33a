using System.Collections.Concurrent;
using System.Globalization;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Fleet;
using Vigil.FleetSim.Randomness;
using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim.Engine;

/// <summary>
/// The fleet's events in timestamp order. Background activities start as a Poisson process sized so the fleet
/// emits the configured rate; scheduled scenarios start every interval; on-demand ones start at the current
/// time. Only running activities hold state, one pending event each, so memory follows activity, not fleet size.
/// Virtual time only: nothing here reads a clock, so a seed and options determine the stream.
/// </summary>
internal sealed class FleetTimeline
{
    // Prior for the mean number of events per background activity, until finished activities measure it.
    private const double PriorEventsPerActivity = 20;
    private const double PriorWeight = 50;

    // Activities spread their events over minutes, so starting them at the steady-state rate would leave the first
    // minutes short of the configured rate. Arrivals are steered by the running shortfall instead, corrected over
    // this many seconds of simulated time, never dropping below a tenth of the steady-state rate.
    private const double CatchUpSeconds = 1;
    private const double MinimumRateShare = 0.1;

    private readonly SimulatedFleet fleet;
    private readonly FleetSimulationOptions options;
    private readonly ConcurrentQueue<ScenarioRequest> requests;
    private readonly PriorityQueue<(ActivityRun Run, TelemetryEvent Event), (long Time, long Order)> pending = new();
    private readonly DeterministicRandom arrivals;
    private readonly DeterministicRandom scenarioPicks;
    private readonly IReadOnlyList<ScenarioPlay> schedulable;
    private readonly long scenarioIntervalNanos;
    private long order;
    private long sequence;
    private long clock;
    private long backgroundSerial;
    private long scheduledSerial;
    private long nextArrival;
    private long nextScenario;
    private long finishedActivities;
    private long finishedActivityEvents;
    private long backgroundEvents;
    private readonly long start;

    public FleetTimeline(SimulatedFleet fleet, FleetSimulationOptions options, long start, ConcurrentQueue<ScenarioRequest> requests)
    {
        this.fleet = fleet;
        this.options = options;
        this.requests = requests;
        clock = start;
        this.start = start;
        arrivals = new DeterministicRandom(StableHash.Of(fleet.Seed, 0xA441));
        scenarioPicks = new DeterministicRandom(StableHash.Of(fleet.Seed, 0x5CE7));
        schedulable = options.SchedulablePlays();
        scenarioIntervalNanos = options.ScenarioInterval is { } interval && interval > TimeSpan.Zero && schedulable.Count > 0
            ? interval.Ticks * 100
            : 0;
        nextArrival = start;
        nextScenario = scenarioIntervalNanos > 0 ? start + scenarioIntervalNanos : long.MaxValue;
    }

    public GeneratedEvent Next()
    {
        while (true)
        {
            while (this.requests.TryDequeue(out var request))
            {
                StartOnDemand(request);
            }

            var nextEvent = pending.TryPeek(out _, out var key) ? key.Time : long.MaxValue;
            if (nextArrival <= nextEvent && nextArrival <= nextScenario)
            {
                StartBackground(nextArrival);
                nextArrival += (long)arrivals.Exponential(MeanArrivalGapNanos(nextArrival));
                continue;
            }

            if (nextScenario <= nextEvent)
            {
                StartScheduled(nextScenario);
                nextScenario += scenarioIntervalNanos;
                continue;
            }

            var (run, e) = pending.Dequeue();
            clock = e.Timestamp;
            e.Event.Sequence = ++sequence;
            if (run.Trace is null)
            {
                backgroundEvents++;
            }

            Advance(run);
            return new GeneratedEvent(e, run.HostIndex, run.Trace);
        }
    }

    private double MeanArrivalGapNanos(long now)
    {
        var meanEvents = (finishedActivityEvents + (PriorEventsPerActivity * PriorWeight)) / (finishedActivities + PriorWeight);
        var target = this.options.EventsPerSecond;
        var shortfall = (target * (now - this.start) / 1e9) - backgroundEvents;
        var rate = Math.Max(target * MinimumRateShare, target + (shortfall / CatchUpSeconds));
        return meanEvents / rate * 1e9;
    }

    private void StartBackground(long at)
    {
        var key = ActivityKey.Background(++backgroundSerial);
        var host = this.fleet.Hosts.Describe(arrivals.Next(this.fleet.Hosts.Count));
        var script = BackgroundMix.Choose(arrivals);
        Start(new ActivityContext(this.fleet, host, key, at, null), script);
    }

    private void StartScheduled(long at)
    {
        var malicious = scenarioPicks.Chance(this.options.MaliciousShare);
        var label = malicious ? ScenarioLabel.Malicious : ScenarioLabel.Benign;
        var candidates = schedulable.Where(p => p.Definition.Label == label).ToList();
        if (candidates.Count == 0)
        {
            candidates = [.. schedulable];
        }

        // A play needing software few hosts run (a backup agent, Word) yields to another when no host has it.
        while (candidates.Count > 0)
        {
            var play = candidates[scenarioPicks.Next(candidates.Count)];
            if (EligibleHosts.Find(this.fleet.Hosts, play, scenarioPicks) is { } host)
            {
                var serial = ++scheduledSerial;
                var id = $"sc-{serial.ToString("D6", CultureInfo.InvariantCulture)}";
                StartScenario(play, host, ActivityKey.ScheduledScenario(serial), id, ScenarioOrigin.Scheduled, at);
                return;
            }

            candidates.Remove(play);
        }
    }

    private void StartOnDemand(ScenarioRequest request) =>
        StartScenario(request.Play, this.fleet.Hosts.Describe(request.HostIndex), ActivityKey.OnDemandScenario(request.Serial),
            request.ScenarioId, ScenarioOrigin.OnDemand, clock);

    private void StartScenario(ScenarioPlay play, HostProfile host, ActivityKey key, string id, ScenarioOrigin origin, long at)
    {
        var trace = new ScenarioTrace(id, play.Definition, origin, host);
        Start(new ActivityContext(this.fleet, host, key, at, trace), play.Script);
    }

    private void Start(ActivityContext context, ActivityScript script) => Advance(new ActivityRun(context, script));

    private void Advance(ActivityRun run)
    {
        if (run.TryNext(out var next))
        {
            pending.Enqueue((run, next), (next.Timestamp, order++));
            return;
        }

        if (run.Trace is null)
        {
            finishedActivities++;
            finishedActivityEvents += run.EventCount;
        }
    }
}
