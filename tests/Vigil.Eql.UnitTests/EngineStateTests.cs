using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;
using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>The engine's contract with a state store: relevance, expiry, serialization and host partitioning.</summary>
public sealed class EngineStateTests
{
    private const string Query = """
        sequence by user.name with maxspan=30s
          [process where process.name == "A"]
          [process where process.name == "B"]
        until [process where process.name == "C"]
        """;

    private static SequenceEngine<TelemetryEvent> Engine(TimeSpan? lateness = null) =>
        new(Run.Compile(Query), new SequenceEngineOptions { Lateness = lateness ?? TimeSpan.FromSeconds(2) });

    [Fact]
    public void AnEventNoStepOrUntilCanUseIsIrrelevantAndLeavesTheStateUntouched()
    {
        var engine = Engine();
        var state = engine.CreateState("host-1");
        var irrelevant = Process("z", 1, "zsh");

        Assert.False(engine.Query.IsRelevant(irrelevant));
        Assert.True(engine.Query.IsRelevant(Process("c", 1, "C")));
        Assert.True(engine.Query.IsRelevant(Process("a", 1, "A")));
        var result = engine.Process(state, irrelevant);
        Assert.False(result.StateChanged);
        Assert.True(state.IsEmpty);
        Assert.Null(state.LatestTimestamp);
    }

    [Fact]
    public void StateExpiresMaxspanPlusLatenessAfterTheLatestEvent()
    {
        var engine = Engine();
        var state = engine.CreateState("host-1");

        Assert.Null(engine.ExpiresAt(state));
        engine.Process(state, Process("a", 10, "A"));

        Assert.Equal(At(10 + 30 + 2), engine.ExpiresAt(state));
        Assert.Equal(TimeSpan.FromSeconds(32), engine.StateRetention);
    }

    [Fact]
    public void PartialsThatCanNoLongerCompleteAreDropped()
    {
        var engine = Engine(TimeSpan.Zero);
        var state = engine.CreateState("host-1");

        engine.Process(state, Process("a", 0, "A", "alice"));
        engine.Process(state, Process("a", 10, "A", "bob"));
        Assert.Equal(2, state.PendingSequenceCount);
        engine.Process(state, Process("late-b", 35, "B", "carol"));

        Assert.Equal(1, state.PendingSequenceCount);
    }

    [Fact]
    public void AdvancingTheWatermarkReleasesMatchesOnAQuietHost()
    {
        var engine = Engine();
        var state = engine.CreateState("host-1");
        engine.Process(state, Process("a", 1, "A"));

        Assert.Empty(engine.Process(state, Process("b", 2, "B")).Matches);
        Assert.Equal(2, state.BufferedEventCount);

        var released = engine.AdvanceWatermark(state, At(2.5));
        Assert.Equal(["a", "b"], Assert.Single(released.Matches).EventIds);
        Assert.True(state.IsEmpty);
    }

    [Fact]
    public void AStateBelongsToOneHost()
    {
        var engine = Engine();
        var state = engine.CreateState("mac-1");

        Assert.Throws<ArgumentException>(() => engine.Process(state, Process("a", 1, "A", host: "mac-2")));
    }

    [Fact]
    public void EventsWithoutAHostFormOneStream()
    {
        var noHost = Process("a", 1, "A");
        noHost.Host = null;
        var alsoNoHost = Process("b", 2, "B");
        alsoNoHost.Host = null;

        Assert.Equal([["a", "b"]], Run.Sequences(Query, [noHost, alsoNoHost]));
        Assert.Equal(string.Empty, Engine().HostOf(noHost));
    }

    [Fact]
    public void ASerializedStateRoundTripsMidSequence()
    {
        var engine = Engine();
        var serializer = new HostStateSerializer<TelemetryEvent>(engine.Query, TelemetrySchemas.Protobuf);
        var state = engine.CreateState("host-1");
        engine.Process(state, Process("a1", 1, "A", "alice"));
        engine.Process(state, Process("a2", 4, "A", "bob"));
        engine.Process(state, Process("b1", 5, "B", "alice"));

        var restored = serializer.Deserialize(serializer.Serialize(state));

        Assert.Equal(state.LatestTimestamp, restored.LatestTimestamp);
        Assert.Equal(state.LastReleased, restored.LastReleased);
        Assert.Equal(state.BufferedEventCount, restored.BufferedEventCount);
        Assert.Equal(state.PendingSequenceCount, restored.PendingSequenceCount);
        var fromOriginal = engine.Process(state, Process("b2", 6, "B", "bob")).Matches.Concat(engine.Flush(state).Matches).ToList();
        var fromRestored = engine.Process(restored, Process("b2", 6, "B", "bob")).Matches.Concat(engine.Flush(restored).Matches).ToList();
        Assert.Equal([["a1", "b1"], ["a2", "b2"]], fromRestored.Select(m => m.EventIds));
        Assert.Equal(fromOriginal.Select(m => m.EventIds), fromRestored.Select(m => m.EventIds));
        Assert.Equal("alice", fromRestored[0].Events[0].User.Name);
    }

    [Fact]
    public void AStateWrittenForAnotherQueryIsRejected()
    {
        var engine = Engine();
        var state = engine.CreateState("host-1");
        engine.Process(state, Process("a1", 1, "A"));
        var bytes = new HostStateSerializer<TelemetryEvent>(engine.Query, TelemetrySchemas.Protobuf).Serialize(state);
        var other = new HostStateSerializer<TelemetryEvent>(Run.Compile(Query + " "), TelemetrySchemas.Protobuf);

        var error = Assert.Throws<InvalidDataException>(() => other.Deserialize(bytes));
        Assert.Contains("discard it", error.Message);
    }

    [Fact]
    public void ATruncatedStateIsRejected()
    {
        var engine = Engine();
        var serializer = new HostStateSerializer<TelemetryEvent>(engine.Query, TelemetrySchemas.Protobuf);
        var state = engine.CreateState("host-1");
        engine.Process(state, Process("a1", 1, "A"));
        var bytes = serializer.Serialize(state);

        Assert.Throws<InvalidDataException>(() => serializer.Deserialize(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Throws<InvalidDataException>(() => serializer.Deserialize("nope"u8));
    }

    [Fact]
    public void ASingleEventQueryMatchesEachEventWithoutState()
    {
        var engine = new SequenceEngine<TelemetryEvent>(Run.Compile("process where process.name == \"A\""));
        var state = engine.CreateState("host-1");

        var result = engine.Process(state, Process("a", 1, "A"));

        Assert.Equal(["a"], Assert.Single(result.Matches).EventIds);
        Assert.False(result.StateChanged);
        Assert.Empty(engine.Process(state, Process("b", 2, "B")).Matches);
    }
}
