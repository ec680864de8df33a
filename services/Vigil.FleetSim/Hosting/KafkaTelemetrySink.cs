using Microsoft.Extensions.Logging;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>
/// Publishes simulated telemetry to the telemetry topic keyed by host.id, record by record, without waiting for
/// each batch's acknowledgements: while one broker is down, records for partitions whose leader is up keep being
/// delivered and only those for the unreachable leader's partitions wait in the producer (bounded by
/// Kafka:Producer:QueueBuffering*, measured by vigil_producer_partition_buffered_records). At most
/// <see cref="MaxPending"/> records await acknowledgement; beyond that the simulation waits (bounded memory).
/// </summary>
internal sealed class KafkaTelemetrySink(ITopicPublisher<TelemetryEvent> publisher, ILogger<KafkaTelemetrySink> logger) : ITelemetrySink
{
    private const int MaxPending = 200_000;
    private readonly SemaphoreSlim room = new(MaxPending, MaxPending);
    private long failed;
    private long lastFailureLog;

    /// <summary>Records the broker never acknowledged (their message timeout passed); each is logged, rate-limited.</summary>
    public long Failed => Interlocked.Read(ref failed);

    public async ValueTask WriteAsync(IReadOnlyList<TelemetryEvent> batch, CancellationToken cancellationToken)
    {
        foreach (var e in batch)
        {
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
            _ = TrackAsync(publisher.PublishAsync(e.Host.Id, e, cancellationToken));
        }
    }

    /// <summary>Waits until every record handed over was acknowledged or failed.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < MaxPending; i++)
        {
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        room.Release(MaxPending);
        if (Failed > 0)
        {
            logger.LogError("{Count} simulated records were never acknowledged by the brokers", Failed);
        }
    }

    private async Task TrackAsync(Task<RecordPosition> delivery)
    {
        try
        {
            await delivery.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Interlocked.Increment(ref failed);
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref lastFailureLog);
            if (now - last > 10_000 && Interlocked.CompareExchange(ref lastFailureLog, now, last) == last)
            {
                logger.LogWarning("A simulated record was not delivered ({Failed} so far): {Reason}", Failed, e.Message);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the producer's flush on shutdown delivers what it can.
        }
        finally
        {
            room.Release();
        }
    }
}
