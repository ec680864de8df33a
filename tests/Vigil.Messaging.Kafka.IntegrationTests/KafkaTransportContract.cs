using System.Text;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// What Vigil's Kafka transport promises, asserted against a real broker. Each subclass picks the
/// broker; the assertions are the same for the embedded dev cluster and a Kafka container.
/// </summary>
/// <param name="readDirect">Whether the loop reads straight from librdkafka's queue (the default) or through Confluent's Consume.</param>
public abstract class KafkaTransportContract(KafkaBrokerKind kind, bool readDirect = true) : BrokerContract(kind)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    [Fact]
    public async Task PublishedRecordsLandOnTheJavaClientsMurmur2Partition()
    {
        await using var pipeline = await StartPipelineAsync("murmur2");
        var published = await pipeline.PublishAsync(hosts: 60, perHost: 2);

        var records = pipeline.ReadAll(pipeline.TelemetryTopic, published.Count, Patience);

        Assert.Equal(published.Count, records.Count);
        Assert.All(records, r => Assert.Equal(
            Murmur2Partitioner.Partition(Encoding.UTF8.GetString(r.Message.Key!), KafkaTestPipeline.Partitions),
            r.Partition.Value));
        Assert.True(records.Select(r => r.Partition.Value).Distinct().Count() > 1, "60 hosts should spread over several partitions.");
    }

    [Fact]
    public async Task GarbageGoesToTheDeadLetterTopicWithItsReasonWhileValidRecordsKeepFlowing()
    {
        await using var pipeline = await StartPipelineAsync("dlq");
        var handler = new RecordingHandler();
        await pipeline.StartLoopAsync(handler);

        var before = await pipeline.PublishAsync(hosts: 3, perHost: 5);
        await pipeline.PublishRawAsync("mac-0001", Encoding.UTF8.GetBytes("{\"not\":\"a frame\"}"));
        await pipeline.PublishRawAsync("mac-0002", [0x00, 0x00, 0x00]);
        var after = await pipeline.PublishAsync(hosts: 3, perHost: 5, firstSequence: 100);
        var expected = before.Concat(after).ToHashSet();

        await Eventually.TrueAsync(() => expected.IsSubsetOf(handler.Handled), Patience, "every valid record is handled");
        var deadLetters = pipeline.ReadAll(pipeline.DeadLetterTopic, 2, Patience);

        Assert.Equal(2, deadLetters.Count);
        var byKey = deadLetters.ToDictionary(d => Encoding.UTF8.GetString(d.Message.Key!));
        Assert.Equal("bad-magic-byte", Header(byKey["mac-0001"], DeadLetterHeaders.Reason));
        Assert.Equal("truncated-frame", Header(byKey["mac-0002"], DeadLetterHeaders.Reason));
        Assert.Equal(Encoding.UTF8.GetBytes("{\"not\":\"a frame\"}"), byKey["mac-0001"].Message.Value);
        Assert.All(deadLetters, d =>
        {
            Assert.Equal(pipeline.TelemetryTopic, Header(d, DeadLetterHeaders.SourceTopic));
            Assert.Equal(pipeline.Group, Header(d, DeadLetterHeaders.ConsumerGroup));
            Assert.True(long.TryParse(Header(d, DeadLetterHeaders.SourceOffset), out _));
            Assert.True(int.TryParse(Header(d, DeadLetterHeaders.SourcePartition), out _));
            Assert.False(string.IsNullOrWhiteSpace(Header(d, DeadLetterHeaders.Error)));
        });
    }

    [Fact]
    public async Task GracefulShutdownCommitsEverythingThatWasHandled()
    {
        await using var pipeline = await StartPipelineAsync("shutdown");
        var published = await pipeline.PublishAsync(hosts: 20, perHost: 10);
        var handler = new RecordingHandler();
        var loop = await pipeline.StartLoopAsync(handler);
        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Handled), Patience, "every record is handled");

        await loop.StopAsync();

        // The periodic commit is set to ten minutes, so these offsets come from the shutdown commit.
        Assert.Equal(pipeline.EndOffsets(), pipeline.CommittedOffsets());
        Assert.Contains(handler.Callbacks, c => c.StartsWith("revoked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailedBatchIsRetriedAndNoRecordIsSkipped()
    {
        await using var pipeline = await StartPipelineAsync("retry");
        var failures = 0;
        var handler = new RecordingHandler(batch => batch.Any(r => r.Value.Event.Id == "mac-0003-000004") && Interlocked.Increment(ref failures) <= 3);
        await pipeline.StartLoopAsync(handler);

        var published = await pipeline.PublishAsync(hosts: 8, perHost: 8);

        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Handled), Patience, "every record is handled despite failures");
        Assert.Equal(3, handler.FailedBatches);
        Assert.Single(handler.Handled, id => id == "mac-0003-000004");
    }

    [Fact]
    public async Task ARestartedConsumerResumesAfterWhatItHandledWithoutReplayingAll()
    {
        await using var pipeline = await StartPipelineAsync("resume");
        var first = await pipeline.PublishAsync(hosts: 10, perHost: 5);
        var handler = new RecordingHandler();
        var loop = await pipeline.StartLoopAsync(handler);
        await Eventually.TrueAsync(() => first.ToHashSet().IsSubsetOf(handler.Handled), Patience, "first records handled");
        await loop.StopAsync();

        var second = await pipeline.PublishAsync(hosts: 10, perHost: 5, firstSequence: 100);
        var restarted = new RecordingHandler();
        await pipeline.StartLoopAsync(restarted);

        await Eventually.TrueAsync(() => second.ToHashSet().IsSubsetOf(restarted.Handled), Patience, "second records handled");
        Assert.Empty(restarted.Handled.Intersect(first));
        Assert.Equal(second.Count, restarted.Handled.Count);
    }

    [Fact]
    public async Task AddingAConsumerToTheGroupSharesPartitionsWithoutLosingRecords()
    {
        await using var pipeline = await StartPipelineAsync("scale");
        var handlerA = new RecordingHandler();
        var handlerB = new RecordingHandler();
        await pipeline.StartLoopAsync(handlerA);
        var firstHalf = await pipeline.PublishAsync(hosts: 30, perHost: 3);
        await Eventually.TrueAsync(() => firstHalf.ToHashSet().IsSubsetOf(handlerA.Handled), Patience, "first consumer handles everything alone");

        await pipeline.StartLoopAsync(handlerB);
        await Eventually.TrueAsync(() => handlerB.Callbacks.Any(c => c.StartsWith("assigned", StringComparison.Ordinal) && c != "assigned 0"), Patience, "second consumer gets partitions");
        var all = (await pipeline.PublishAsync(hosts: 30, perHost: 3, firstSequence: 100)).ToHashSet();

        await Eventually.TrueAsync(() => all.IsSubsetOf(handlerA.Handled.Concat(handlerB.Handled).ToHashSet()), Patience, "every record is handled by one of them");
        Assert.Contains(handlerA.Callbacks, c => c.StartsWith("revoked", StringComparison.Ordinal));
    }

    private async Task<KafkaTestPipeline> StartPipelineAsync(string name)
    {
        var pipeline = new KafkaTestPipeline(Broker, name, consumer: settings => settings.ReadDirect = readDirect);
        await pipeline.CreateTopicsAsync();
        return pipeline;
    }

    private static string Header(Confluent.Kafka.ConsumeResult<byte[]?, byte[]?> record, string name) =>
        Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(name));
}
