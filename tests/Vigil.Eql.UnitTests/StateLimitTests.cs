using System.Text;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;
using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// Bounded per-(rule, host) state: the key and byte limits evict the oldest partials and count them, the engine counts
/// every partial it throws away by reason, and the state format reads what the previous version wrote.
/// </summary>
public sealed class StateLimitTests
{
    private const string ByEntity = """
        sequence by process.entity_id with maxspan=1h
          [process where process.name == "curl"]
          [network where true]
        """;

    private static TelemetryEvent Curl(int i, double seconds) => Event($"c{i}", seconds, "process", e =>
        e.Process = new Process { Name = "curl", EntityId = $"entity-{i}" });

    private static TelemetryEvent Connect(int i, double seconds) => Event($"n{i}", seconds, "network", e =>
        e.Process = new Process { Name = "curl", EntityId = $"entity-{i}" });

    [Fact]
    public void AFloodOfDistinctKeysIsCappedAndTheEvictionsAreCounted()
    {
        var engine = new SequenceEngine<TelemetryEvent>(Run.Compile(ByEntity), new SequenceEngineOptions { Lateness = TimeSpan.Zero, MaxPendingKeys = 100 });
        var state = engine.CreateState("host-1");
        long evicted = 0;
        for (var i = 0; i < 1_000; i++)
        {
            evicted += engine.Process(state, Curl(i, i * 0.01)).Rejections.StateLimit;
        }

        Assert.True(state.PendingKeyCount <= 100, $"{state.PendingKeyCount} keys kept");
        Assert.Equal(1_000 - state.PendingKeyCount, evicted);
        Assert.Equal(evicted, engine.Rejections.Totals.StateLimit);

        // The newest partials are the ones kept: the latest curl still completes, the first was evicted.
        Assert.Single(engine.Process(state, Connect(999, 20)).Matches);
        Assert.Empty(engine.Process(state, Connect(0, 21)).Matches);
    }

    [Fact]
    public void AStateOverItsByteLimitEvictsTheOldestPartialsWhenSerialized()
    {
        var query = Run.Compile(ByEntity);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = TimeSpan.Zero, MaxPendingKeys = 0 });
        var tally = new RejectionTally();
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf, maxStateBytes: 8_192, tally);
        var state = engine.CreateState("host-1");
        for (var i = 0; i < 500; i++)
        {
            engine.Process(state, Curl(i, i * 0.01));
        }

        var (bytes, evicted) = serializer.SerializeBounded(state);

        Assert.True(bytes.Length <= 8_192, $"{bytes.Length} bytes");
        Assert.True(evicted > 0);
        Assert.Equal(500 - state.PendingSequenceCount, evicted);
        Assert.Equal(evicted, tally.Totals.StateLimit);
        Assert.Single(engine.Process(serializer.Deserialize(bytes), Connect(499, 10)).Matches);
    }

    [Fact]
    public void TheEngineCountsPartialsLostToMaxspanUntilAndOverwrite()
    {
        const string query = """
            sequence by user.name with maxspan=5s
              [process where process.name == "a"]
              [process where process.name == "b"]
            until [process where process.name == "stop"]
            """;
        var engine = new SequenceEngine<TelemetryEvent>(Run.Compile(query), new SequenceEngineOptions { Lateness = TimeSpan.Zero });
        var state = engine.CreateState("host-1");

        engine.Process(state, Process("a1", 1, "a"));
        var overwrite = engine.Process(state, Process("a2", 2, "a")).Rejections;
        var expired = engine.Process(state, Process("b", 9, "b")).Rejections;
        engine.Process(state, Process("a3", 10, "a"));
        var stopped = engine.Process(state, Process("stop", 11, "stop")).Rejections;

        Assert.Equal(1, overwrite.Overwritten);
        Assert.Equal(1, expired.MaxSpan);
        Assert.Equal(1, stopped.Until);
        Assert.Equal(new RejectionCounts(1, 1, 1, 0, 0), engine.Rejections.Totals);
    }

    [Fact]
    public void StateWrittenByThePreviousFormatStillLoadsWithItsPendingSequences()
    {
        var query = Run.Compile(ByEntity);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = TimeSpan.Zero });
        var curl = Curl(7, 1);

        var restored = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf).Deserialize(VersionOneState(query.Fingerprint, curl));

        Assert.Equal(1, restored.PendingSequenceCount);
        var match = Assert.Single(engine.Process(restored, Connect(7, 2)).Matches);
        Assert.Equal(["c7", "n7"], match.EventIds);
    }

    [Fact]
    public void AStateOfAnUnknownFutureVersionIsRefused()
    {
        var query = Run.Compile(ByEntity);
        var bytes = VersionOneState(query.Fingerprint, Curl(7, 1));
        bytes[3] = 9;

        var error = Assert.Throws<InvalidDataException>(() => new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf).Deserialize(bytes));
        Assert.Contains("version 9", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The bytes the format-1 serializer wrote for one pending partial (first step matched by <paramref name="curl"/>),
    /// written here field by field from that format's documented layout.
    /// </summary>
    private static byte[] VersionOneState(string fingerprint, TelemetryEvent curl)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("VQS"u8.ToArray());
            writer.Write((byte)1);
            writer.Write(fingerprint);
            writer.Write("host-1");
            writer.Write7BitEncodedInt(2);          // stage count
            writer.Write(true);                     // latest @timestamp
            writer.Write(curl.Timestamp);
            writer.Write(false);                    // external watermark
            writer.Write(true);                     // last released position
            writer.Write(curl.Timestamp);
            writer.Write(0L);
            writer.Write("c7");
            writer.Write7BitEncodedInt(1);          // one event
            writer.Write(curl.Timestamp);
            writer.Write(0L);
            writer.Write("c7");
            writer.Write(1UL);                      // satisfies step 0
            writer.Write(false);                    // not until
            var encoded = TelemetrySchemas.Protobuf.Encode(curl);
            writer.Write7BitEncodedInt(encoded.Length);
            writer.Write(encoded);
            writer.Write7BitEncodedInt(0);          // nothing buffered
            writer.Write7BitEncodedInt(1);          // one join key
            writer.Write7BitEncodedInt(1);
            writer.Write(true);
            writer.Write("entity-7");
            writer.Write7BitEncodedInt(1);          // slot 0: one event, index 0
            writer.Write7BitEncodedInt(0);
        }

        return stream.ToArray();
    }
}
