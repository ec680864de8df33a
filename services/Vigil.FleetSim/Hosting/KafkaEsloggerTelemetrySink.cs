using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>
/// A simulated fleet of Macs shipping eslogger: process and file events as eslogger lines to the raw eslogger topic
/// (keyed by host.id, as a shipper must key them), network and DNS events as canonical events to the telemetry topic
/// with the process ids the eslogger adapter derives, as vigil-agent's network source publishes them. Record by
/// record through <see cref="PendingDeliveries"/>, so a broker that is down delays only its partitions' records.
/// </summary>
internal sealed class KafkaEsloggerTelemetrySink(ITopicPublisher<byte[]> raw, ITopicPublisher<TelemetryEvent> canonical, PendingDeliveries deliveries) : ITelemetrySink
{
    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        foreach (var e in batch)
        {
            if (EsloggerMessageWriter.ToLine(e) is { } line)
            {
                await deliveries.PublishAsync(raw, e.Host.Id, line, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await deliveries.PublishAsync(canonical, e.Host.Id, EsloggerMessageWriter.Reattributed(e), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task DrainAsync(CancellationToken cancellationToken) => deliveries.DrainAsync(cancellationToken);
}
