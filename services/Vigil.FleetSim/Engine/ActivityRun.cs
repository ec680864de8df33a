using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Activities;
using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim.Engine;

/// <summary>One running activity: hands out its events one at a time, residents' launches first, in time order.</summary>
internal sealed class ActivityRun(ActivityContext context, ActivityScript script)
{
    private readonly IEnumerator<TelemetryEvent> body = script(context).GetEnumerator();
    private TelemetryEvent? held;
    private long lastTime = long.MinValue;

    public ScenarioTrace? Trace => context.Trace;

    public int HostIndex => context.Host.Index;

    public int EventCount { get; private set; }

    public bool TryNext(out TelemetryEvent next)
    {
        if (!TryTake(out next))
        {
            body.Dispose();
            if (Trace is not null)
            {
                Trace.Finished = true;
            }

            return false;
        }

        if (next.Timestamp < lastTime)
        {
            throw new InvalidOperationException($"Activity produced event {next.Event.Action} at {next.Timestamp}, before its previous event at {lastTime}.");
        }

        lastTime = next.Timestamp;
        EventCount++;
        return true;
    }

    private bool TryTake(out TelemetryEvent next)
    {
        if (context.Preludes.TryDequeue(out next!))
        {
            return true;
        }

        if (held is not null)
        {
            next = held;
            held = null;
            return true;
        }

        if (!body.MoveNext())
        {
            next = null!;
            return false;
        }

        // Residents acquired while producing this event launch before it.
        if (context.Preludes.TryDequeue(out var prelude))
        {
            held = body.Current;
            next = prelude;
            return true;
        }

        next = body.Current;
        return true;
    }
}
