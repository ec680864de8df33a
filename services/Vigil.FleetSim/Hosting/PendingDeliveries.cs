using Microsoft.Extensions.Logging;
using Vigil.Messaging;

namespace Vigil.FleetSim.Hosting;

/// <summary>
/// Hands records to the producer one by one without waiting for each batch's acknowledgements, so a broker that is
/// down holds back only the records of the partitions it leads: the others keep being delivered. What waits is
/// bounded twice: here (at most <see cref="MaxPending"/> records unacknowledged; beyond that the simulation waits)
/// and in the producer (Kafka:Producer:QueueBuffering*, measured per partition by
/// vigil_producer_partition_buffered_records). Every sink to Kafka (canonical, raw, eslogger) shares one of these.
/// </summary>
internal sealed class PendingDeliveries(ILogger logger, int maxPending = PendingDeliveries.MaxPending)
{
    public const int MaxPending = 200_000;

    private readonly SemaphoreSlim room = new(maxPending, maxPending);
    private long failed;
    private long lastFailureLog;

    /// <summary>Records the broker never acknowledged (their message timeout passed); logged, rate-limited.</summary>
    public long Failed => Interlocked.Read(ref failed);

    /// <summary>Records handed over and not yet acknowledged.</summary>
    public int Pending => maxPending - room.CurrentCount;

    public async ValueTask PublishAsync<T>(ITopicPublisher<T> publisher, string key, T value, CancellationToken cancellationToken)
    {
        await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        _ = TrackAsync(publisher.PublishAsync(key, value, cancellationToken));
    }

    /// <summary>Waits until every record handed over was acknowledged or failed.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < maxPending; i++)
        {
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        room.Release(maxPending);
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
