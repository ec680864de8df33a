using System.Collections.Concurrent;
using Vigil.Contracts;
using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Fleet;
using Vigil.FleetSim.Scenarios;

namespace Vigil.FleetSim.Engine;

/// <summary>
/// One run: pulls the timeline, applies source skew, paces against the wall clock in live mode, hands batches
/// to the sink and writes each scenario's ground truth once its last event has been handed over.
/// </summary>
internal sealed class SimulationRun(
    FleetSimulationOptions options,
    SimulatedFleet fleet,
    ConcurrentQueue<ScenarioRequest> requests,
    ITelemetrySink sink,
    IGroundTruthSink? groundTruth,
    TimeProvider time,
    Action onEmitted)
{
    // Waits shorter than this are not worth a timer; the event goes out a little early instead.
    private static readonly TimeSpan PacingSlack = TimeSpan.FromMilliseconds(2);

    private readonly Dictionary<string, ScenarioTrace> active = new(StringComparer.Ordinal);
    private readonly List<ScenarioTrace> completed = [];
    private List<TelemetryEvent> batch = new(options.BatchSize);
    private long start;
    private long startTicks;
    private long emitted;
    private int scenariosCompleted;
    private long firstTime = long.MaxValue;
    private long lastTime = long.MinValue;

    public async Task<FleetRunSummary> RunAsync(CancellationToken cancellationToken)
    {
        var live = options.Pacing == PacingMode.Live;
        start = EcsTimestamp.ToUnixNanos(live ? time.GetUtcNow() : options.StartTime);
        startTicks = time.GetTimestamp();
        var timeline = new FleetTimeline(fleet, options, start, requests);
        var skew = new SourceSkew(fleet.Seed, options.MaxSourceSkew);
        var end = options.Duration is { } duration ? start + (duration.Ticks * 100) : long.MaxValue;
        var maxEvents = options.MaxEvents ?? long.MaxValue;

        try
        {
            while (emitted < maxEvents)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var generated = timeline.Next();
                if (generated.Event.Timestamp >= end)
                {
                    break;
                }

                if (generated.Trace is { } trace)
                {
                    active.TryAdd(trace.ScenarioId, trace);
                }

                skew.Add(generated);
                while (emitted < maxEvents && skew.TryRelease(generated.Event.Timestamp, out var released, out var due))
                {
                    await EmitAsync(released, due, live, cancellationToken).ConfigureAwait(false);
                }
            }

            while (emitted < maxEvents && skew.TryReleaseAny(out var released, out var due))
            {
                await EmitAsync(released, due, live, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancellation is how a live run stops: what was generated so far is still delivered and recorded.
        }

        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        var incomplete = 0;
        foreach (var trace in active.Values.OrderBy(t => t.ScenarioId, StringComparer.Ordinal))
        {
            var record = trace.ToRecord();
            if (record.EventIds.Count > 0 && groundTruth is not null)
            {
                await groundTruth.WriteAsync(record, CancellationToken.None).ConfigureAwait(false);
            }

            incomplete += record.EventIds.Count > 0 ? 1 : 0;
        }

        return new FleetRunSummary(emitted, scenariosCompleted, incomplete,
            emitted > 0 ? firstTime : 0, emitted > 0 ? lastTime : 0);
    }

    private async ValueTask EmitAsync(GeneratedEvent generated, long due, bool live, CancellationToken cancellationToken)
    {
        if (live)
        {
            var wait = TimeSpan.FromTicks((due - start) / 100) - time.GetElapsedTime(startTicks);
            if (wait > PacingSlack)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }

        var e = generated.Event;
        this.batch.Add(e);
        emitted++;
        onEmitted();
        firstTime = Math.Min(firstTime, e.Timestamp);
        lastTime = Math.Max(lastTime, e.Timestamp);
        if (generated.Trace is { } trace)
        {
            trace.MarkEmitted(e);
            if (trace.IsComplete)
            {
                active.Remove(trace.ScenarioId);
                completed.Add(trace);
            }
        }

        if (this.batch.Count >= options.BatchSize)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (this.batch.Count > 0)
        {
            var batch = this.batch;
            this.batch = new List<TelemetryEvent>(options.BatchSize);
            await sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        foreach (var trace in completed)
        {
            scenariosCompleted++;
            if (groundTruth is not null)
            {
                await groundTruth.WriteAsync(trace.ToRecord(), cancellationToken).ConfigureAwait(false);
            }
        }

        completed.Clear();
    }
}
