using Microsoft.Extensions.Logging;
using Vigil.Contracts.Telemetry;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// The overlapped loop's rarer paths, each on a real consumer: a batch that fails after this member lost its partitions,
/// and a stop that finds a batch gathered but not yet handed over. Neither may lose records or hold the loop back.
/// </summary>
public sealed class OverlappedLoopEdgesOnEmbeddedBroker : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task ABatchFailingAfterItsPartitionsWereLostIsLeftToTheirNextOwnerWithoutBackoffOrAStall()
    {
        // One failure would stall the loop and back off for 30 s, if it were counted against this member.
        // One partition: the held first batch holds it whole, however the machine's load splits the fetches.
        await using var pipeline = new KafkaTestPipeline(broker, "lostfail", partitions: 1, consumer: c =>
        {
            c.StallAfterFailures = 1;
            c.RetryBackoff = TimeSpan.FromSeconds(30);
            c.MaxRetryBackoff = TimeSpan.FromSeconds(30);
        });
        await pipeline.CreateTopicsAsync();
        var published = await pipeline.PublishAsync(hosts: 8, perHost: 5);
        using var release = new SemaphoreSlim(0);
        var held = 0;
        var handler = new GatedHandler(gate: _ => Interlocked.Exchange(ref held, 1) == 0 ? release : null, failAfterGate: true);
        var log = new CapturedLog<KafkaConsumeLoop<TelemetryEvent>>();
        await pipeline.StartLoopAsync(handler, logger: log);
        await Eventually.TrueAsync(() => handler.Waiting, TimeSpan.FromSeconds(60), "the first batch reaches the handler, which holds it");
        Task Until(Func<bool> condition, TimeSpan timeout, string what) =>
            Eventually.TrueAsync(condition, timeout, what).ContinueWith(
                t => t.IsFaulted ? throw new TimeoutException($"{t.Exception!.InnerException!.Message} The loop logged: {string.Join(" | ", log.Lines.Select(l => l.Text))}") : t,
                TaskScheduler.Default).Unwrap();

        broker.Cluster.SetBrokerDown(-1);
        try
        {
            // No heartbeat reaches the coordinator: after the session timeout (6 s) librdkafka declares the assignment lost
            // (its SESSTMOUT line), and the loop's lost callback waits for the batch in hand. Only then does that batch fail.
            await Until(() => log.Lines.Any(l => l.Text.Contains("SESSTMOUT", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "librdkafka's session times out");
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            release.Release();
            await Until(() => pipeline.Metrics.Rebalances.WithLabels(pipeline.Group, "lost").Value >= 1, TimeSpan.FromSeconds(30), "the partitions are lost");
        }
        finally
        {
            broker.Cluster.SetBrokerUp(-1);
        }

        // Their next owner (this member again, after rejoining) reads the failed batch from the last commit at once.
        await Until(() => published.ToHashSet().IsSubsetOf(handler.Handled), TimeSpan.FromSeconds(25), "every record is handled, without a 30 s backoff");
        Assert.Equal(1, handler.Failures);
        Assert.Contains(log.At(LogLevel.Warning), l => l.Contains("failed after its partitions were revoked or lost", StringComparison.Ordinal));
        Assert.Equal(0, pipeline.Metrics.ConsumerStalled.WithLabels(pipeline.Group).Value);
    }

    [Fact]
    public async Task AStopWhileABatchIsGatheredStoresNothingForItAndARestartedConsumerReadsIt()
    {
        // A batch waits up to 8 s to fill; the stop comes while it is being gathered.
        await using var pipeline = new KafkaTestPipeline(broker, "stopgather", partitions: 1, consumer: c =>
        {
            c.MaxBatchSize = 1000;
            c.MaxBatchWait = TimeSpan.FromSeconds(8);
        });
        await pipeline.CreateTopicsAsync();
        var published = await pipeline.PublishAsync(hosts: 1, perHost: 5);
        var first = new GatedHandler();
        var log = new CapturedLog<KafkaConsumeLoop<TelemetryEvent>>();
        var loop = await pipeline.StartLoopAsync(first, logger: log);
        await Eventually.TrueAsync(() => pipeline.Metrics.AssignedPartitions.WithLabels(pipeline.Group).Value > 0, TimeSpan.FromSeconds(60), "the loop is assigned");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        await loop.StopAsync();

        Assert.Contains(log.At(LogLevel.Information), l => l.Contains("stops with 5 gathered records not handed over", StringComparison.Ordinal));
        Assert.Empty(first.Handled);
        Assert.True(pipeline.CommittedOffsets()[0] < 0, $"an offset ({pipeline.CommittedOffsets()[0]}) was committed for records never handled");

        var second = new GatedHandler();
        await pipeline.StartLoopAsync(second);
        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(second.Handled), TimeSpan.FromSeconds(60), "the restarted consumer reads the records the stopped one gathered");
    }

    [Fact]
    public async Task AHandlerThatIgnoresCancellationAndNeverReturnsDoesNotHoldTheStopAndItsBatchIsNotCommitted()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "stuckstop", partitions: 1, consumer: c => c.ShutdownGrace = TimeSpan.FromSeconds(1));
        await pipeline.CreateTopicsAsync();
        await pipeline.PublishAsync(hosts: 1, perHost: 5);
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StuckHandler(never.Task);
        var log = new CapturedLog<KafkaConsumeLoop<TelemetryEvent>>();
        var loop = await pipeline.StartLoopAsync(handler, logger: log);
        try
        {
            await Eventually.TrueAsync(() => handler.Entered, TimeSpan.FromSeconds(60), "the batch reaches the handler, which never returns");
            // Twice the grace for the handler, then the last commit and leaving the group: well inside 30 s.
            await loop.StopAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            Assert.Contains(log.At(LogLevel.Error), l => l.Contains("did not return within twice the shutdown grace", StringComparison.Ordinal));
            Assert.True(pipeline.CommittedOffsets()[0] < 0, $"an offset ({pipeline.CommittedOffsets()[0]}) was committed for a batch never handled");
        }
        finally
        {
            never.TrySetResult();
        }
    }

    /// <summary>A handler that ignores its cancellation token and returns only when the test lets it.</summary>
    private sealed class StuckHandler(Task until) : IRecordBatchHandler<TelemetryEvent>
    {
        public volatile bool Entered;

        public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            Entered = true;
            await until;
        }
    }

    /// <summary>Records the event ids it handled; can hold a batch until released, and then fail it instead of handling it.</summary>
    private sealed class GatedHandler(
        Func<IReadOnlyList<ConsumedRecord<TelemetryEvent>>, SemaphoreSlim?>? gate = null,
        bool failAfterGate = false) : IRecordBatchHandler<TelemetryEvent>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> handled = new();

        public IReadOnlyCollection<string> Handled => handled;

        public int Failures;

        public volatile bool Waiting;

        public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            if (gate?.Invoke(batch) is { } wait)
            {
                Waiting = true;
                await wait.WaitAsync(cancellationToken);
                if (failAfterGate)
                {
                    Interlocked.Increment(ref Failures);
                    throw new InvalidOperationException("Alert publish refused (simulated by the test handler).");
                }
            }

            foreach (var record in batch)
            {
                handled.Enqueue(record.Value.Event.Id);
            }
        }
    }
}
