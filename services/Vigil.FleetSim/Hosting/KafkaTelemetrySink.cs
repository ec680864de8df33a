using Microsoft.Extensions.Logging;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>
/// Publishes simulated telemetry to the telemetry topic keyed by host.id, record by record through
/// <see cref="PendingDeliveries"/>: a broker that is down delays only its partitions' records.
/// </summary>
internal sealed class KafkaTelemetrySink(ITopicPublisher<TelemetryEvent> publisher, ILogger<KafkaTelemetrySink> logger) : ITelemetrySink
{
    private readonly PendingDeliveries deliveries = new(logger);

    /// <summary>Records the broker never acknowledged.</summary>
    public long Failed => deliveries.Failed;

    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        foreach (var e in batch)
        {
            await deliveries.PublishAsync(publisher, e.Host.Id, e, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task DrainAsync(CancellationToken cancellationToken) => deliveries.DrainAsync(cancellationToken);
}
