using Microsoft.Extensions.Logging;
using Vigil.Contracts.Telemetry;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// The overlapped loop's rarer paths, each on a real consumer: a stop that finds a batch gathered but not yet handed over
/// may not store its offsets, so nothing of it is lost.
/// </summary>
public sealed class OverlappedLoopEdgesOnEmbeddedBroker : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

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
