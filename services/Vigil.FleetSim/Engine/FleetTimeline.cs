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

    private readonly SimulatedFleet _fleet;
    private readonly FleetSimulationOptions _options;
    private readonly ConcurrentQueue<ScenarioRequest> _requests;
    private readonly PriorityQueue<(ActivityRun Run, TelemetryEvent Event), (long Time, long Order)> _pending = new();
    private readonly DeterministicRandom _arrivals;
    private readonly DeterministicRandom _scenarioPicks;
    private readonly IReadOnlyList<ScenarioPlay> _schedulable;
    private readonly long _scenarioIntervalNanos;
    private long _order;
    private long _sequence;
    private long _clock;
    private long _backgroundSerial;
    private long _scheduledSerial;
    private long _nextArrival;
    private long _nextScenario;
    private long _finishedActivities;
    private long _finishedActivityEvents;
    private long _backgroundEvents;
    private readonly long _start;

    public FleetTimeline(SimulatedFleet fleet, FleetSimulationOptions options, long start, ConcurrentQueue<ScenarioRequest> requests)
    {
        _fleet = fleet;
        _options = options;
        _requests = requests;
        _clock = start;
        _start = start;
        _arrivals = new DeterministicRandom(StableHash.Of(fleet.Seed, 0xA441));
        _scenarioPicks = new DeterministicRandom(StableHash.Of(fleet.Seed, 0x5CE7));
        _schedulable = options.SchedulablePlays();
        _scenarioIntervalNanos = options.ScenarioInterval is { } interval && interval > TimeSpan.Zero && _schedulable.Count > 0
            ? interval.Ticks * 100
            : 0;
        _nextArrival = start;
        _nextScenario = _scenarioIntervalNanos > 0 ? start + _scenarioIntervalNanos : long.MaxValue;
    }

    public GeneratedEvent Next()
    {
        while (true)
        {
            while (_requests.TryDequeue(out var request))
            {
                StartOnDemand(request);
            }

            var nextEvent = _pending.TryPeek(out _, out var key) ? key.Time : long.MaxValue;
            if (_nextArrival <= nextEvent && _nextArrival <= _nextScenario)
            {
                StartBackground(_nextArrival);
                _nextArrival += (long)_arrivals.Exponential(MeanArrivalGapNanos(_nextArrival));
                continue;
            }

            if (_nextScenario <= nextEvent)
            {
                StartScheduled(_nextScenario);
                _nextScenario += _scenarioIntervalNanos;
                continue;
            }

            var (run, e) = _pending.Dequeue();
            _clock = e.Timestamp;
            e.Event.Sequence = ++_sequence;
            if (run.Trace is null)
            {
                _backgroundEvents++;
            }

            Advance(run);
            return new GeneratedEvent(e, run.HostIndex, run.Trace);
        }
    }

    private double MeanArrivalGapNanos(long now)
    {
        var meanEvents = (_finishedActivityEvents + (PriorEventsPerActivity * PriorWeight)) / (_finishedActivities + PriorWeight);
        var target = _options.EventsPerSecond;
        var shortfall = (target * (now - _start) / 1e9) - _backgroundEvents;
        var rate = Math.Max(target * MinimumRateShare, target + (shortfall / CatchUpSeconds));
        return meanEvents / rate * 1e9;
    }

    private void StartBackground(long at)
    {
        var key = ActivityKey.Background(++_backgroundSerial);
        var host = _fleet.Hosts.Describe(_arrivals.Next(_fleet.Hosts.Count));
        var script = BackgroundMix.Choose(_arrivals);
        Start(new ActivityContext(_fleet, host, key, at, null), script);
    }

    private void StartScheduled(long at)
    {
        var malicious = _scenarioPicks.Chance(_options.MaliciousShare);
        var label = malicious ? ScenarioLabel.Malicious : ScenarioLabel.Benign;
        var candidates = _schedulable.Where(p => p.Definition.Label == label).ToList();
        if (candidates.Count == 0)
        {
            candidates = [.. _schedulable];
        }

        // A play needing software few hosts run (a backup agent, Word) yields to another when no host has it.
        while (candidates.Count > 0)
        {
            var play = candidates[_scenarioPicks.Next(candidates.Count)];
            if (EligibleHosts.Find(_fleet.Hosts, play, _scenarioPicks) is { } host)
            {
                var serial = ++_scheduledSerial;
                var id = $"sc-{serial.ToString("D6", CultureInfo.InvariantCulture)}";
                StartScenario(play, host, ActivityKey.ScheduledScenario(serial), id, ScenarioOrigin.Scheduled, at);
                return;
            }

            candidates.Remove(play);
        }
    }

    private void StartOnDemand(ScenarioRequest request) =>
        StartScenario(request.Play, _fleet.Hosts.Describe(request.HostIndex), ActivityKey.OnDemandScenario(request.Serial),
            request.ScenarioId, ScenarioOrigin.OnDemand, _clock);

    private void StartScenario(ScenarioPlay play, HostProfile host, ActivityKey key, string id, ScenarioOrigin origin, long at)
    {
        var trace = new ScenarioTrace(id, play.Definition, origin, host);
        Start(new ActivityContext(_fleet, host, key, at, trace), play.Script);
    }

    private void Start(ActivityContext context, ActivityScript script) => Advance(new ActivityRun(context, script));

    private void Advance(ActivityRun run)
    {
        if (run.TryNext(out var next))
        {
            _pending.Enqueue((run, next), (next.Timestamp, _order++));
            return;
        }

        if (run.Trace is null)
        {
            _finishedActivities++;
            _finishedActivityEvents += run.EventCount;
        }
    }
}
