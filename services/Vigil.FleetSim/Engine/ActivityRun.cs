using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim.Engine;

/// <summary>One running activity: hands out its events one at a time, residents' launches first, in time order.</summary>
internal sealed class ActivityRun(ActivityContext context, ActivityScript script)
{
    private readonly IEnumerator<TelemetryEvent> _body = script(context).GetEnumerator();
    private TelemetryEvent? _held;
    private long _lastTime = long.MinValue;

    public ScenarioTrace? Trace => context.Trace;

    public int HostIndex => context.Host.Index;

    public int EventCount { get; private set; }

    public bool TryNext(out TelemetryEvent next)
    {
        if (!TryTake(out next))
        {
            _body.Dispose();
            if (Trace is not null)
            {
                Trace.Finished = true;
            }

            return false;
        }

        if (next.Timestamp < _lastTime)
        {
            throw new InvalidOperationException($"Activity produced event {next.Event.Action} at {next.Timestamp}, before its previous event at {_lastTime}.");
        }

        _lastTime = next.Timestamp;
        EventCount++;
        return true;
    }

    private bool TryTake(out TelemetryEvent next)
    {
        if (context.Preludes.TryDequeue(out next!))
        {
            return true;
        }

        if (_held is not null)
        {
            next = _held;
            _held = null;
            return true;
        }

        if (!_body.MoveNext())
        {
            next = null!;
            return false;
        }

        // Residents acquired while producing this event launch before it.
        if (context.Preludes.TryDequeue(out var prelude))
        {
            _held = _body.Current;
            next = prelude;
            return true;
        }

        next = _body.Current;
        return true;
    }
}
