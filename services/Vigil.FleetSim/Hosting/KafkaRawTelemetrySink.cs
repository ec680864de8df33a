using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>
/// Publishes simulated telemetry in an agent's own format to that format's raw topic, keyed by host.id as a fleet's
/// shipper would, for vigil-ingest to normalise; record by record through <see cref="PendingDeliveries"/>, so a
/// broker that is down delays only its partitions' records.
/// </summary>
internal sealed class KafkaRawTelemetrySink(ITopicPublisher<byte[]> publisher, Func<TelemetryEvent, byte[]> format, PendingDeliveries deliveries) : ITelemetrySink
{
    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        foreach (var e in batch)
        {
            await deliveries.PublishAsync(publisher, e.Host.Id, format(e), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task DrainAsync(CancellationToken cancellationToken) => deliveries.DrainAsync(cancellationToken);
}
