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

    private readonly Dictionary<string, ScenarioTrace> _active = new(StringComparer.Ordinal);
    private readonly List<ScenarioTrace> _completed = [];
    private List<TelemetryEvent> _batch = new(options.BatchSize);
    private long _start;
    private long _startTicks;
    private long _emitted;
    private int _scenariosCompleted;
    private long _firstTime = long.MaxValue;
    private long _lastTime = long.MinValue;

    public async Task<FleetRunSummary> RunAsync(CancellationToken cancellationToken)
    {
        var live = options.Pacing == PacingMode.Live;
        _start = EcsTimestamp.ToUnixNanos(live ? time.GetUtcNow() : options.StartTime);
        _startTicks = time.GetTimestamp();
        var timeline = new FleetTimeline(fleet, options, _start, requests);
        var skew = new SourceSkew(fleet.Seed, options.MaxSourceSkew);
        var end = options.Duration is { } duration ? _start + (duration.Ticks * 100) : long.MaxValue;
        var maxEvents = options.MaxEvents ?? long.MaxValue;

        try
        {
            while (_emitted < maxEvents)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var generated = timeline.Next();
                if (generated.Event.Timestamp >= end)
                {
                    break;
                }

                if (generated.Trace is { } trace)
                {
                    _active.TryAdd(trace.ScenarioId, trace);
                }

                skew.Add(generated);
                while (_emitted < maxEvents && skew.TryRelease(generated.Event.Timestamp, out var released, out var due))
                {
                    await EmitAsync(released, due, live, cancellationToken).ConfigureAwait(false);
                }
            }

            while (_emitted < maxEvents && skew.TryReleaseAny(out var released, out var due))
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
        foreach (var trace in _active.Values.OrderBy(t => t.ScenarioId, StringComparer.Ordinal))
        {
            var record = trace.ToRecord();
            if (record.EventIds.Count > 0 && groundTruth is not null)
            {
                await groundTruth.WriteAsync(record, CancellationToken.None).ConfigureAwait(false);
            }

            incomplete += record.EventIds.Count > 0 ? 1 : 0;
        }

        return new FleetRunSummary(_emitted, _scenariosCompleted, incomplete,
            _emitted > 0 ? _firstTime : 0, _emitted > 0 ? _lastTime : 0);
    }

    private async ValueTask EmitAsync(GeneratedEvent generated, long due, bool live, CancellationToken cancellationToken)
    {
        if (live)
        {
            var wait = TimeSpan.FromTicks((due - _start) / 100) - time.GetElapsedTime(_startTicks);
            if (wait > PacingSlack)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
        }

        var e = generated.Event;
        _batch.Add(e);
        _emitted++;
        onEmitted();
        _firstTime = Math.Min(_firstTime, e.Timestamp);
        _lastTime = Math.Max(_lastTime, e.Timestamp);
        if (generated.Trace is { } trace)
        {
            trace.MarkEmitted(e);
            if (trace.IsComplete)
            {
                _active.Remove(trace.ScenarioId);
                _completed.Add(trace);
            }
        }

        if (_batch.Count >= options.BatchSize)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_batch.Count > 0)
        {
            var batch = _batch;
            _batch = new List<TelemetryEvent>(options.BatchSize);
            await sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        foreach (var trace in _completed)
        {
            _scenariosCompleted++;
            if (groundTruth is not null)
            {
                await groundTruth.WriteAsync(trace.ToRecord(), cancellationToken).ConfigureAwait(false);
            }
        }

        _completed.Clear();
    }
}
