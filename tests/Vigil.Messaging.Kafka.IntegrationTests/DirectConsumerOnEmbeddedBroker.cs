using System.Text;
using Confluent.Kafka;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// The consume loop takes records straight from librdkafka's queue (<see cref="DirectConsumer{T}"/>) instead of through
/// Confluent's Consume, which builds several objects per record. What a user relies on must not change: every record,
/// its key, offset, timestamp and topic, and for an undecodable one the headers it was published with.
/// </summary>
public sealed class DirectConsumerOnEmbeddedBroker : IAsyncLifetime
{
    private const int Records = 3_000;
    private readonly EmbeddedKafkaBroker broker = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    [Fact]
    public async Task RecordsAreReadStraightFromLibrdkafkaWithTheConfluentKafkaVersionVigilPins()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "direct-bind", partitions: 1);
        using var consumer = Build(pipeline, new RecordReader<int>(new LengthDecoder()));

        var direct = DirectConsumer<int>.TryCreate(consumer, new RecordReader<int>(new LengthDecoder()), topicNames: false, headers: true, out var reason);

        Assert.True(direct is not null, $"the consume loop would fall back to Confluent's Consume: {reason}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ALoopReadsDirectlyUnlessToldNotToAndSaysWhichWayItReads(bool readDirect)
    {
        await using var pipeline = new KafkaTestPipeline(broker, $"direct-switch-{readDirect}", consumer: settings => settings.ReadDirect = readDirect);
        await pipeline.CreateTopicsAsync();
        var log = new CapturedLog<KafkaConsumeLoop<Vigil.Contracts.Telemetry.TelemetryEvent>>();
        var handler = new RecordingHandler();
        await pipeline.StartLoopAsync(handler, logger: log);

        var published = await pipeline.PublishAsync(hosts: 4, perHost: 5);

        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Handled), TimeSpan.FromSeconds(60), "every record is handled");
        var throughConsume = log.Lines.Where(l => l.Text.Contains("through Confluent's Consume", StringComparison.Ordinal)).ToList();
        if (readDirect)
        {
            Assert.Empty(throughConsume);
        }
        else
        {
            var line = Assert.Single(throughConsume);
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, line.Level);
            Assert.Contains("Kafka:Consumer:ReadDirect is false", line.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ReadingARecordAllocatesNothingOfItsOwnWhereConfluentsConsumeAllocatesSeveralObjects()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "direct-alloc", partitions: 1);
        await pipeline.CreateTopicsAsync();
        await PublishPlainAsync(pipeline, Records);

        var consume = BytesPerRecord(pipeline, direct: false);
        var direct = BytesPerRecord(pipeline, direct: true);

        Assert.True(direct < 8, $"{direct:F1} B per record read directly (Confluent's Consume: {consume:F1} B)");
        Assert.True(consume > 100, $"{consume:F1} B per record through Confluent's Consume: the measurement saw nothing to save");
    }

    [Fact]
    public async Task RecordsReadDirectlyCarryTheKeyOffsetTimestampAndTopicConsumeGives()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "direct-same", partitions: 1);
        await pipeline.CreateTopicsAsync();
        await PublishPlainAsync(pipeline, 200);

        var viaConsume = Read(pipeline, direct: false, 200);
        var viaDirect = Read(pipeline, direct: true, 200);

        Assert.Equal(200, viaDirect.Count);
        Assert.Equal(viaConsume, viaDirect);
        Assert.All(viaDirect, r => Assert.Equal(pipeline.TelemetryTopic, r.Topic));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"mac-{i % 7:D4}"), viaDirect.Select(r => r.Key));
    }

    [Fact]
    public async Task AnUndecodableRecordIsDeadLetteredWithTheHeadersItWasPublishedWith()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "direct-headers");
        await pipeline.CreateTopicsAsync();
        var handler = new RecordingHandler();
        await pipeline.StartLoopAsync(handler);

        var before = await pipeline.PublishAsync(hosts: 2, perHost: 5);
        await pipeline.Producer.ProduceAsync(pipeline.TelemetryTopic, new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes("mac-0009"),
            Value = Encoding.UTF8.GetBytes("not a frame"),
            Headers = new Headers { { "agent-version", Encoding.UTF8.GetBytes("8.17.1") }, { "empty", null } },
        }, CancellationToken.None);
        var after = await pipeline.PublishAsync(hosts: 2, perHost: 5, firstSequence: 100);

        await Eventually.TrueAsync(() => before.Concat(after).ToHashSet().IsSubsetOf(handler.Handled), TimeSpan.FromSeconds(60), "every valid record is handled");
        var deadLetter = Assert.Single(pipeline.ReadAll(pipeline.DeadLetterTopic, 1, TimeSpan.FromSeconds(60)));
        Assert.Equal("8.17.1", Encoding.UTF8.GetString(deadLetter.Message.Headers.GetLastBytes("agent-version")));
        Assert.Null(deadLetter.Message.Headers.GetLastBytes("empty"));
        Assert.Equal("not a frame", Encoding.UTF8.GetString(deadLetter.Message.Value!));
    }

    [Fact]
    public async Task StoringABatchsOffsetsInOneCallCommitsTheAssignedPartitionsAndReportsTheOthersAsNotAssigned()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "direct-store", partitions: 3);
        await pipeline.CreateTopicsAsync();
        var reader = new RecordReader<int>(new LengthDecoder());
        using var consumer = Build(pipeline, reader);
        var direct = DirectConsumer<int>.TryCreate(consumer, reader, topicNames: false, headers: false, out _)!;
        consumer.Assign([new TopicPartitionOffset(pipeline.TelemetryTopic, 0, Offset.Beginning), new TopicPartitionOffset(pipeline.TelemetryTopic, 2, Offset.Beginning)]);
        var errors = new List<ErrorCode>();

        direct.StoreOffsets(
            [new(pipeline.TelemetryTopic, 0, 17), new(pipeline.TelemetryTopic, 1, 5), new(pipeline.TelemetryTopic, 2, 42)],
            errors);
        consumer.Commit();
        var committed = consumer.Committed([new(pipeline.TelemetryTopic, 0), new(pipeline.TelemetryTopic, 2)], TimeSpan.FromSeconds(10));
        consumer.Close();

        Assert.Equal([ErrorCode.NoError, ErrorCode.Local_State, ErrorCode.NoError], errors);
        Assert.Equal([17L, 42L], committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value));
    }

    [Fact]
    public async Task StoringOffsetsOfPartitionsNoLongerAssignedReportsEachAsNotAssignedWithoutFailingTheBatch()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "direct-revoked", partitions: 2);
        await pipeline.CreateTopicsAsync();
        var reader = new RecordReader<int>(new LengthDecoder());
        using var consumer = Build(pipeline, reader);
        var direct = DirectConsumer<int>.TryCreate(consumer, reader, topicNames: false, headers: false, out _)!;
        var errors = new List<ErrorCode>();

        consumer.Assign([new TopicPartitionOffset(pipeline.TelemetryTopic, 0, Offset.Beginning), new TopicPartitionOffset(pipeline.TelemetryTopic, 1, Offset.Beginning)]);
        consumer.Unassign();

        direct.StoreOffsets([new(pipeline.TelemetryTopic, 0, 3), new(pipeline.TelemetryTopic, 1, 4)], errors);
        consumer.Close();

        Assert.Equal([ErrorCode.Local_State, ErrorCode.Local_State], errors);
    }

    [Fact]
    public async Task RecordsOfTwoTopicsWithNullKeysAndValuesReadDirectlyMatchWhatConsumeGives()
    {
        await using var pipeline = new KafkaTestPipeline(broker, "direct-topics", partitions: 1);
        await pipeline.CreateTopicsAsync();
        foreach (var (topic, i) in new[] { pipeline.TelemetryTopic, pipeline.DeadLetterTopic }.SelectMany(t => Enumerable.Range(0, 6).Select(i => (t, i))))
        {
            try
            {
                await pipeline.Producer.ProduceAsync(topic, new Message<byte[]?, byte[]?>
                {
                    Key = i % 3 == 0 ? null : Encoding.UTF8.GetBytes($"mac-{i:D4}"),
                    Value = i % 2 == 0 ? null : new byte[i],
                }, CancellationToken.None);
            }
            catch (Exception) when (topic == pipeline.DeadLetterTopic)
            {
                // Compacted: records without a key are refused.
            }
        }

        var viaConsume = ReadBoth(pipeline, direct: false);
        var viaDirect = ReadBoth(pipeline, direct: true);

        Assert.Equal(viaConsume, viaDirect);
        Assert.Equal(6, viaDirect.Count(r => r.Topic == pipeline.TelemetryTopic));
        Assert.Contains(viaDirect, r => r.Topic == pipeline.DeadLetterTopic);
        Assert.Contains(viaDirect, r => r.Key is null);
    }

    private static List<(string? Topic, long Offset, string? Key, int Value)> ReadBoth(KafkaTestPipeline pipeline, bool direct)
    {
        var reader = new RecordReader<int>(new LengthDecoder());
        using var consumer = Build(pipeline, reader);
        var poll = direct ? DirectConsumer<int>.TryCreate(consumer, reader, topicNames: true, headers: true, out _) ?? throw new InvalidOperationException("not bound") : null;
        consumer.Assign([new TopicPartitionOffset(pipeline.TelemetryTopic, 0, Offset.Beginning), new TopicPartitionOffset(pipeline.DeadLetterTopic, 0, Offset.Beginning)]);
        // The dead-letter topic is compacted: the broker refuses its records without a key, so count what each topic holds.
        var total = new[] { pipeline.TelemetryTopic, pipeline.DeadLetterTopic }.Sum(t => consumer.QueryWatermarkOffsets(new TopicPartition(t, 0), TimeSpan.FromSeconds(10)).High.Value);
        var records = new List<(string?, long, string?, int)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (records.Count < total && DateTime.UtcNow < deadline)
        {
            if (poll is not null)
            {
                if (poll.Poll(TimeSpan.FromMilliseconds(100), out var r) == PollOutcome.Record)
                {
                    records.Add((r.Topic, r.Offset, r.Key, r.Value.Value));
                }
            }
            else if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } c)
            {
                records.Add((c.Topic, c.Offset.Value, c.Message.Key, c.Message.Value.Value));
            }
        }

        consumer.Close();
        return [.. records.OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2)];
    }

    private static IConsumer<string?, DecodedValue<int>> Build(KafkaTestPipeline pipeline, RecordReader<int> reader)
    {
        var config = pipeline.Configs.Consumer(pipeline.Group + "-" + Guid.NewGuid().ToString("N"));
        config.ConsumeResultFields = "timestamp,topic";
        return new ConsumerBuilder<string?, DecodedValue<int>>(config).SetKeyDeserializer(reader).SetValueDeserializer(reader).Build();
    }

    /// <summary>Allocated bytes per record on the reading thread, for reading every record but the first 500 (warm-up).</summary>
    private static double BytesPerRecord(KafkaTestPipeline pipeline, bool direct)
    {
        var reader = new RecordReader<int>(new LengthDecoder());
        using var consumer = Build(pipeline, reader);
        var poll = direct ? DirectConsumer<int>.TryCreate(consumer, reader, topicNames: true, headers: true, out _) ?? throw new InvalidOperationException("not bound") : null;
        consumer.Assign(new TopicPartitionOffset(pipeline.TelemetryTopic, 0, Offset.Beginning));
        var read = 0;
        var start = 0L;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (read < Records && DateTime.UtcNow < deadline)
        {
            if (read == 500)
            {
                start = GC.GetAllocatedBytesForCurrentThread();
            }

            var got = poll is not null ? poll.Poll(TimeSpan.FromMilliseconds(100), out _) == PollOutcome.Record : consumer.Consume(TimeSpan.FromMilliseconds(100)) is not null;
            read += got ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        consumer.Close();
        Assert.Equal(Records, read);
        return (double)allocated / (Records - 500);
    }

    private static List<(string? Topic, int Partition, long Offset, string? Key, DateTime Timestamp, int Value)> Read(KafkaTestPipeline pipeline, bool direct, int count)
    {
        var reader = new RecordReader<int>(new LengthDecoder());
        using var consumer = Build(pipeline, reader);
        var poll = direct ? DirectConsumer<int>.TryCreate(consumer, reader, topicNames: true, headers: true, out _) ?? throw new InvalidOperationException("not bound") : null;
        consumer.Assign(new TopicPartitionOffset(pipeline.TelemetryTopic, 0, Offset.Beginning));
        var records = new List<(string?, int, long, string?, DateTime, int)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (poll is not null)
            {
                if (poll.Poll(TimeSpan.FromMilliseconds(100), out var r) == PollOutcome.Record)
                {
                    records.Add((r.Topic, r.Partition, r.Offset, r.Key, r.Timestamp.UtcDateTime, r.Value.Value));
                }
            }
            else if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } c)
            {
                records.Add((c.Topic, c.Partition.Value, c.Offset.Value, c.Message.Key, c.Message.Timestamp.UtcDateTime, c.Message.Value.Value));
            }
        }

        consumer.Close();
        return records;
    }

    /// <summary>Records keyed by seven hosts with values of varying length, the timestamps the producer gives.</summary>
    private static async Task PublishPlainAsync(KafkaTestPipeline pipeline, int count)
    {
        var now = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => pipeline.Producer.ProduceAsync(pipeline.TelemetryTopic, new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes($"mac-{i % 7:D4}"),
            Value = new byte[10 + (i % 50)],
            Timestamp = new Timestamp(now.AddMilliseconds(-i)),
        }, CancellationToken.None)));
    }

    /// <summary>Decodes a value as its length: allocates nothing, so what a read allocates is the reading's own.</summary>
    private sealed class LengthDecoder : IRecordDecoder<int>
    {
        public int Decode(ReadOnlySpan<byte> value) => value.Length;
    }
}
