using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>
/// A simulated fleet of Macs shipping eslogger: process and file events as eslogger lines to the raw eslogger topic
/// (keyed by host.id, as a shipper must key them), network and DNS events as canonical events to the telemetry topic
/// with the process ids the eslogger adapter derives, as vigil-agent's network source publishes them.
/// </summary>
internal sealed class KafkaEsloggerTelemetrySink(ITopicPublisher<byte[]> raw, ITopicPublisher<TelemetryEvent> canonical) : ITelemetrySink
{
    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        var lines = new List<KeyValuePair<string, byte[]>>(batch.Count);
        var events = new List<KeyValuePair<string, TelemetryEvent>>();
        foreach (var e in batch)
        {
            if (EsloggerMessageWriter.ToLine(e) is { } line)
            {
                lines.Add(KeyValuePair.Create(e.Host.Id, line));
            }
            else
            {
                events.Add(KeyValuePair.Create(e.Host.Id, EsloggerMessageWriter.Reattributed(e)));
            }
        }

        await Task.WhenAll(
            raw.PublishBatchAsync(lines, cancellationToken),
            canonical.PublishBatchAsync(events, cancellationToken)).ConfigureAwait(false);
    }
}
