using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>
/// Publishes simulated telemetry in an agent's own format to that format's raw topic, keyed by host.id as a fleet's
/// shipper would, for vigil-ingest to normalise; a batch completes when every record was acknowledged.
/// </summary>
internal sealed class KafkaRawTelemetrySink(ITopicPublisher<byte[]> publisher, Func<TelemetryEvent, byte[]> format) : ITelemetrySink
{
    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken) =>
        await publisher.PublishBatchAsync(batch.Select(e => KeyValuePair.Create(e.Host.Id, format(e))).ToList(), cancellationToken).ConfigureAwait(false);
}
