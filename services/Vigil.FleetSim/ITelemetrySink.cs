using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim;

/// <summary>Where simulated telemetry goes (a file, a Kafka topic). Batches arrive in emission order, one call at a time.</summary>
public interface ITelemetrySink
{
    /// <summary>Takes ownership of <paramref name="batch"/>: the simulator never touches the list or its events again.</summary>
    ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken);

    /// <summary>Waits until everything written so far is delivered (sinks that deliver inside WriteAsync have nothing to wait for).</summary>
    Task DrainAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
