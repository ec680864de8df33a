using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Vigil.Contracts.Telemetry;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// Records a consumer never read must show: the embedded broker keeps at most 5 MiB per partition, so a consumer that
/// falls further behind than that loses records to retention, and librdkafka only resets its position. The loop counts
/// every offset it never read per partition; its own rewinds and rebalances count nothing.
/// </summary>
public sealed class SkippedRecordsOnEmbeddedBroker : IAsyncLifetime
{
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task RecordsDeletedByRetentionWhileTheHandlerWasBlockedAreCountedPerPartitionAndNamedInAWarning()
    {
        // librdkafka would otherwise prefetch up to 64 MiB and never fall behind the broker's 5 MiB.
        await using var pipeline = new KafkaTestPipeline(
            broker,
            "retention",
            partitions: 1,
            consumer: c =>
            {
                c.MaxBatchSize = 50;
                c.MaxBacklogBatchSize = 50;
            },
            properties: new() { ["queued.max.messages.kbytes"] = "256" });
        await pipeline.CreateTopicsAsync();
        using var release = new SemaphoreSlim(0);
        var handler = new OffsetRecordingHandler(batch => batch[0].Offset == 0 ? release : null);
        var log = new CapturedLog<KafkaConsumeLoop<TelemetryEvent>>();
        await PublishPaddedAsync(pipeline, 0, 50);
        await pipeline.StartLoopAsync(handler, logger: log);
        await Eventually.TrueAsync(() => handler.Waiting, TimeSpan.FromSeconds(60), "the first batch reaches the handler, which holds it");

        // ~24 MB to one partition while the handler holds its first batch: the broker keeps only the last 5 MiB of it.
        for (var n = 50; n < 2450; n += 200)
        {
            await PublishPaddedAsync(pipeline, n, 200);
        }

        var end = pipeline.EndOffsets()[0];
        Assert.Equal(2450, end);
        release.Release();
        await Eventually.TrueAsync(() => handler.Offsets.ContainsKey(end - 1), TimeSpan.FromSeconds(90), "the consumer reaches the end of the partition");

        var neverHandled = end - handler.Offsets.Count;
        Assert.True(neverHandled > 0, "retention deleted nothing the consumer still had to read: the test did not make it fall behind");
        var skipped = pipeline.Metrics.RecordsSkipped.WithLabels(pipeline.Group, pipeline.TelemetryTopic, "0").Value;
        Assert.Equal(neverHandled, (long)skipped);
        Assert.True(pipeline.Metrics.OffsetResets.WithLabels(pipeline.Group, pipeline.TelemetryTopic, "0").Value >= 1, $"librdkafka's offset reset was not counted; the loop logged: {string.Join(" | ", log.Lines.Select(l => l.Text))}");
        var warning = Assert.Single(log.At(LogLevel.Warning), l => l.Contains("SKIPPED", StringComparison.Ordinal));
        Assert.Contains(pipeline.Group, warning, StringComparison.Ordinal);
        Assert.Contains($"{pipeline.TelemetryTopic}[0]", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsumerStartedAfterRetentionDeletedRecordsPastItsCommittedOffsetCountsThemAsSkipped()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "retention-fresh", partitions: 1);
        await pipeline.CreateTopicsAsync();
        await PublishPaddedAsync(pipeline, 0, 50);
        var before = new OffsetRecordingHandler();
        var first = await pipeline.StartLoopAsync(before);
        await Eventually.TrueAsync(() => before.Offsets.Count == 50, TimeSpan.FromSeconds(60), "the first 50 records are handled");
        await first.StopAsync();
        Assert.Equal(50, pipeline.CommittedOffsets()[0]);

        // ~24 MB while no member runs: the broker keeps only the last 5 MiB, so the committed offset 50 is gone.
        for (var n = 50; n < 2450; n += 200)
        {
            await PublishPaddedAsync(pipeline, n, 200);
        }

        var end = pipeline.EndOffsets()[0];
        var after = new OffsetRecordingHandler();
        var log = new CapturedLog<KafkaConsumeLoop<TelemetryEvent>>();
        await pipeline.StartLoopAsync(after, logger: log);
        await Eventually.TrueAsync(() => after.Offsets.ContainsKey(end - 1), TimeSpan.FromSeconds(90), "the restarted consumer reaches the end of the partition");

        var neverHandled = end - 50 - after.Offsets.Count;
        Assert.True(neverHandled > 0, "retention deleted nothing past the committed offset: the test did not exercise the reset");
        Assert.Equal(neverHandled, (long)pipeline.Metrics.RecordsSkipped.WithLabels(pipeline.Group, pipeline.TelemetryTopic, "0").Value);
        var warning = Assert.Single(log.At(LogLevel.Warning), l => l.Contains("SKIPPED", StringComparison.Ordinal));
        Assert.Contains("offsets 50 to", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RewindsAfterFailedBatchesAndPartitionsMovingAwayAndBackCountNothingSkipped()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "noskip", consumer: c =>
        {
            c.MaxBatchSize = 30;
            c.MaxBacklogBatchSize = 60;
        });
        await pipeline.CreateTopicsAsync();
        var attempts = 0;
        var first = new OffsetRecordingHandler(fail: _ => Interlocked.Increment(ref attempts) % 4 == 0);
        await pipeline.StartLoopAsync(first);
        var published = new List<string>(await pipeline.PublishAsync(hosts: 24, perHost: 20));
        await Eventually.TrueAsync(() => first.Events.Count >= published.Count, TimeSpan.FromSeconds(60), "the first member handles the first wave");

        // A second member takes some partitions and moves them past where the first member left them ...
        var second = new OffsetRecordingHandler();
        var secondLoop = await pipeline.StartLoopAsync(second);
        await Eventually.TrueAsync(() => pipeline.Metrics.Rebalances.WithLabels(pipeline.Group, "revoked").Value >= 1, TimeSpan.FromSeconds(60), "the group rebalances");
        published.AddRange(await pipeline.PublishAsync(hosts: 24, perHost: 20, firstSequence: 20));
        await Eventually.TrueAsync(() => first.Events.Union(second.Events).Count() >= published.Count, TimeSpan.FromSeconds(60), "the second wave is handled");
        Assert.True(second.Events.Count > 0, "no partition moved to the second member");

        // ... and leaves: the first member resumes them from the second's commits, far past its own last record there.
        await secondLoop.StopAsync();
        published.AddRange(await pipeline.PublishAsync(hosts: 24, perHost: 20, firstSequence: 40));
        await Eventually.TrueAsync(() => first.Events.Union(second.Events).Count() >= published.Count, TimeSpan.FromSeconds(60), "the third wave is handled");

        Assert.True(first.Failures > 0, "no batch failed: the test did not exercise the rewind");
        Assert.Equal(published.Order(StringComparer.Ordinal), first.Events.Union(second.Events).Order(StringComparer.Ordinal));
        for (var partition = 0; partition < KafkaTestPipeline.Partitions; partition++)
        {
            Assert.Equal(0, pipeline.Metrics.RecordsSkipped.WithLabels(pipeline.Group, pipeline.TelemetryTopic, partition.ToString(System.Globalization.CultureInfo.InvariantCulture)).Value);
        }
    }

    /// <summary>
    /// Records of about 10 KB (a long command line of random letters, which the producer's lz4 cannot shrink), so a few
    /// thousand fill more than the broker keeps.
    /// </summary>
    private static Task PublishPaddedAsync(KafkaTestPipeline pipeline, int from, int count)
    {
        var records = Enumerable.Range(from, count)
            .Select(n =>
            {
                var random = new Random(n);
                var e = KafkaTestPipeline.Event("mac-0000", n);
                e.Process.CommandLine = string.Create(10_000, random, (chars, r) =>
                {
                    for (var i = 0; i < chars.Length; i++)
                    {
                        chars[i] = (char)('a' + r.Next(26));
                    }
                });
                return KeyValuePair.Create(e.Host.Id, e);
            })
            .ToList();
        return pipeline.Publisher.PublishBatchAsync(records);
    }

    /// <summary>Remembers the offsets and event ids it handled; can hold a batch until released, or fail one before recording it.</summary>
    private sealed class OffsetRecordingHandler(
        Func<IReadOnlyList<ConsumedRecord<TelemetryEvent>>, SemaphoreSlim?>? gate = null,
        Func<IReadOnlyList<ConsumedRecord<TelemetryEvent>>, bool>? fail = null) : IRecordBatchHandler<TelemetryEvent>
    {
        public ConcurrentDictionary<long, bool> Offsets { get; } = new();

        public ConcurrentDictionary<string, bool> EventIds { get; } = new(StringComparer.Ordinal);

        public ICollection<string> Events => EventIds.Keys;

        public int Failures;

        public volatile bool Waiting;

        public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
        {
            if (gate?.Invoke(batch) is { } wait)
            {
                Waiting = true;
                await wait.WaitAsync(cancellationToken);
            }

            if (fail?.Invoke(batch) == true)
            {
                Interlocked.Increment(ref Failures);
                throw new InvalidOperationException("State store unavailable (simulated by the test handler).");
            }

            foreach (var record in batch)
            {
                Offsets[record.Offset] = true;
                EventIds[record.Value.Event.Id] = true;
            }
        }
    }
}
