using System.Security.Cryptography;
using System.Text;
using Vigil.Testing;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>
/// No record can wedge a partition: records too large to dead-letter whole leave as bounded copies, groups
/// reading the validated canonical topic count without copying, and a dead-letter topic that keeps
/// refusing writes stops the loop where readiness and metrics show it.
/// </summary>
/// <param name="readDirect">Whether the loop reads straight from librdkafka's queue (the default) or through Confluent's Consume.</param>
public abstract class PoisonPillContract(KafkaBrokerKind kind, bool readDirect = true) : BrokerContract(kind)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RecordsTooLargeToDeadLetterWholeLeaveAsBoundedCopiesAndThePartitionMovesOn()
    {
        await using var pipeline = await StartPipelineAsync("poison");
        var handler = new RecordingHandler();
        await pipeline.StartLoopAsync(handler);
        // Both land on one host's partition: 2 MB, and one just under the 1,000,000-byte limit that only the
        // dead-letter headers push over it.
        var twoMegabytes = Garbage(2 * 1024 * 1024, seed: 1);
        var justUnder = Garbage(999_706, seed: 2);

        var before = await pipeline.PublishAsync(hosts: 8, perHost: 3);
        await pipeline.PublishRawAsync("mac-0001", twoMegabytes);
        await pipeline.PublishRawAsync("mac-0001", justUnder);
        var after = await pipeline.PublishAsync(hosts: 8, perHost: 3, firstSequence: 100);

        var expected = before.Concat(after).ToHashSet();
        await Eventually.TrueAsync(() => expected.IsSubsetOf(handler.Handled), Patience, "records after the poison pills, on its partition and others, are handled");
        var deadLetters = pipeline.ReadAll(pipeline.DeadLetterTopic, 2, Patience);

        Assert.Equal(2, deadLetters.Count);
        foreach (var (original, copy) in new[] { twoMegabytes, justUnder }.Zip(deadLetters.OrderByDescending(d => long.Parse(Header(d, DeadLetterHeaders.OriginalSize), System.Globalization.CultureInfo.InvariantCulture))))
        {
            Assert.Equal("true", Header(copy, DeadLetterHeaders.Truncated));
            Assert.Equal(original.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(copy, DeadLetterHeaders.OriginalSize));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), Header(copy, DeadLetterHeaders.OriginalSha256));
            Assert.Equal(pipeline.TelemetryTopic, Header(copy, DeadLetterHeaders.SourceTopic));
            Assert.True(long.TryParse(Header(copy, DeadLetterHeaders.SourceOffset), out _));
            Assert.False(string.IsNullOrWhiteSpace(Header(copy, DeadLetterHeaders.Reason)));
            Assert.Equal("mac-0001", Encoding.UTF8.GetString(copy.Message.Key!));
            Assert.InRange(copy.Message.Value!.Length, 1, 100_000);
            Assert.Equal(original.AsSpan(0, copy.Message.Value.Length).ToArray(), copy.Message.Value);
        }
    }

    [Fact]
    public async Task AGroupReadingTheCanonicalTopicCountsUndecodableRecordsWithoutCopyingThemAgain()
    {
        await using var pipeline = await StartPipelineAsync("skip");
        var handler = new RecordingHandler();
        await pipeline.StartLoopAsync(handler, UndecodableRecords.CountAndSkip);
        var counted = pipeline.Metrics.Undecodable.WithLabels(pipeline.TelemetryTopic, pipeline.Group, "bad-magic-byte");

        var before = await pipeline.PublishAsync(hosts: 4, perHost: 3);
        await pipeline.PublishRawAsync("mac-0001", Encoding.UTF8.GetBytes("{\"not\":\"a frame\"}"));
        await pipeline.PublishRawAsync("mac-0002", Garbage(2 * 1024 * 1024, seed: 3));
        var after = await pipeline.PublishAsync(hosts: 4, perHost: 3, firstSequence: 100);

        var expected = before.Concat(after).ToHashSet();
        await Eventually.TrueAsync(() => expected.IsSubsetOf(handler.Handled), Patience, "valid records around the undecodable ones are handled");
        // Counted when its batch is settled, on the consume thread, just after the handler returned: not before.
        await Eventually.TrueAsync(() => counted.Value >= 1, Patience, "the undecodable record is counted");
        Assert.Empty(pipeline.ReadAll(pipeline.DeadLetterTopic, 1, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task ADeadLetterTopicThatKeepsRefusingWritesStopsTheConsumerWhereReadinessShowsIt()
    {
        await using var pipeline = await StartPipelineAsync("dlq-refuses");
        var handler = new RecordingHandler();
        // The dead-letter producer reaches no broker: every write times out.
        var refusing = pipeline.RefusingDeadLetters();
        var loop = await pipeline.StartLoopAsync(handler, UndecodableRecords.DeadLetter, refusing);
        await pipeline.PublishAsync(hosts: 2, perHost: 2);
        await Eventually.TrueAsync(() => loop.Ready, Patience, "the loop is ready while it consumes");

        await pipeline.PublishRawAsync("mac-0001", [0x00, 0x00, 0x00]);

        await Eventually.TrueAsync(() => !loop.Ready, Patience, "readiness turns false once the dead-letter writes keep failing");
        Assert.Equal("Faulted", loop.Health.StateOf(pipeline.Group));
        Assert.Equal(1, pipeline.Metrics.ConsumerStopped.WithLabels(pipeline.Group).Value);
        Assert.True(pipeline.Metrics.DeadLetterFailures.WithLabels(pipeline.Group).Value >= 3);
    }

    [Fact]
    public async Task ABatchThatKeepsFailingTurnsReadinessFalseUntilItSucceeds()
    {
        await using var pipeline = await StartPipelineAsync("stall");
        var failing = 1;
        var handler = new RecordingHandler(_ => Volatile.Read(ref failing) == 1);
        var loop = await pipeline.StartLoopAsync(handler);
        var published = await pipeline.PublishAsync(hosts: 3, perHost: 2);

        await Eventually.TrueAsync(() => loop.Health.StateOf(pipeline.Group) == "Stalled" && !loop.Ready, Patience, "a batch failing again and again reports the loop stalled");
        Volatile.Write(ref failing, 0);

        await Eventually.TrueAsync(() => published.ToHashSet().IsSubsetOf(handler.Handled), Patience, "the batch is handled once the failure clears");
        await Eventually.TrueAsync(() => loop.Ready, Patience, "readiness turns true again");
    }

    private async Task<KafkaTestPipeline> StartPipelineAsync(string name)
    {
        var pipeline = new KafkaTestPipeline(Broker, name, consumer: settings => settings.ReadDirect = readDirect);
        await pipeline.CreateTopicsAsync();
        return pipeline;
    }

    /// <summary>Bytes no decoder accepts (the first is not the framing's magic byte).</summary>
    private static byte[] Garbage(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x7B;
        return bytes;
    }

    private static string Header(Confluent.Kafka.ConsumeResult<byte[]?, byte[]?> record, string name) =>
        Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(name));
}
