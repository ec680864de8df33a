using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>Publishes simulated telemetry to the telemetry topic keyed by host.id; a batch completes when every record was acknowledged.</summary>
internal sealed class KafkaTelemetrySink(ITopicPublisher<TelemetryEvent> publisher) : ITelemetrySink
{
    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken) =>
        await publisher.PublishBatchAsync(batch.Select(e => KeyValuePair.Create(e.Host.Id, e)).ToList(), cancellationToken).ConfigureAwait(false);
}
