using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.Agent;

/// <summary>
/// Drains the disk buffer to the telemetry topic, oldest segment first, keyed by host.id. A segment is deleted only
/// after every event in it was acknowledged (acks=all); a failed segment is retried with backoff, so delivery is
/// at-least-once (a retried segment may repeat events a broker already took; alert ids are deterministic).
/// </summary>
internal sealed class BufferPublisher(DiskBuffer buffer, ITopicPublisher<TelemetryEvent> publisher, AgentMetrics metrics, ILogger<BufferPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            var segment = buffer.Next();
            if (segment is null)
            {
                await buffer.WaitForAppendAsync(IdleWait, stoppingToken).ConfigureAwait(false);
                continue;
            }

            var events = DiskBuffer.Read(segment);
            try
            {
                await publisher.PublishBatchAsync(events.Select(e => KeyValuePair.Create(e.Host.Id, e)).ToArray(), stoppingToken).ConfigureAwait(false);
                buffer.Delete(segment);
                metrics.EventsPublished.Inc(events.Count);
                backoff = TimeSpan.FromMilliseconds(500);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Kafka unreachable or refusing: keep the segment on disk and try again later.
                logger.LogWarning("Publishing {Count} buffered events failed ({Reason}); {Pending} bytes buffered, retrying in {Backoff}",
                    events.Count, e.Message, buffer.PendingBytes, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }
}
