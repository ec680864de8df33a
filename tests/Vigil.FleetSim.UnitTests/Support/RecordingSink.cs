using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.UnitTests.Support;

/// <summary>Keeps every batch the simulation hands over, in order, with the time (from an optional clock) it arrived.</summary>
internal sealed class RecordingSink(TimeProvider? clock = null) : ITelemetrySink
{
    public List<TelemetryEvent> Events { get; } = [];

    public List<(DateTimeOffset At, IReadOnlyList<TelemetryEvent> Batch)> Batches { get; } = [];

    public Func<Task>? BeforeFirstBatch { get; init; }

    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        if (Batches.Count == 0 && BeforeFirstBatch is not null)
        {
            await BeforeFirstBatch();
        }

        Batches.Add(((clock ?? TimeProvider.System).GetUtcNow(), batch));
        Events.AddRange(batch);
    }
}
