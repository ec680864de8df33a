using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;
using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// Missing-event steps (<c>![ ... ]</c>) as Elasticsearch's EQL syntax reference documents them: at the start, in the middle
/// and at the end of a sequence, with maxspan mandatory, the absent event looked for under the same join key within the
/// sequence's time window; and, as only a stream can, reported once that window has passed.
/// </summary>
public sealed class MissingEventTests
{
    // The syntax reference's example: a logon not followed by a logoff within 5 seconds.
    private const string LogonWithoutLogoff = """
        sequence by user.name with maxspan=5s
          [process where process.name == "logon"]
          ![process where process.name == "logoff"]
        """;

    private const string AWithoutXThenB = """
        sequence by user.name with maxspan=10s
          [process where process.name == "a"]
          ![process where process.name == "x"]
          [process where process.name == "b"]
        """;

    private const string NoXBeforeAThenB = """
        sequence by user.name with maxspan=10s
          ![process where process.name == "x"]
          [process where process.name == "a"]
          [process where process.name == "b"]
        """;

    private static SequenceEngine<TelemetryEvent> Engine(string query, double latenessSeconds = 0) =>
        new(Run.Compile(query), new SequenceEngineOptions { Lateness = TimeSpan.FromSeconds(latenessSeconds) });

    [Fact]
    public void ALogonWithoutALogoffWithinMaxspanMatches()
    {
        var matches = Run.Sequences(LogonWithoutLogoff, [Process("on", 1, "logon"), Process("later", 20, "other")]);

        Assert.Equal([["on"]], matches);
    }

    [Fact]
    public void ALogoffWithinMaxspanOfTheLogonPreventsTheMatch()
    {
        var matches = Run.Sequences(LogonWithoutLogoff, [Process("on", 1, "logon"), Process("off", 4, "logoff"), Process("later", 20, "other")]);

        Assert.Empty(matches);
    }

    [Fact]
    public void ALogoffExactlyMaxspanAfterTheLogonStillCounts()
    {
        // maxspan is inclusive for positive steps; the absent event's window is too.
        Assert.Empty(Run.Sequences(LogonWithoutLogoff, [Process("on", 1, "logon"), Process("off", 6, "logoff"), Process("later", 20, "other")]));
        Assert.Equal([["on"]], Run.Sequences(LogonWithoutLogoff, [Process("on", 1, "logon"), Process("off", 6.5, "logoff"), Process("later", 20, "other")]));
    }

    [Fact]
    public void TheAbsentEventMustShareTheJoinKey()
    {
        var matches = Run.Sequences(LogonWithoutLogoff, [Process("on", 1, "logon", "alice"), Process("off", 2, "logoff", "bob"), Process("later", 20, "other")]);

        Assert.Equal([["on"]], matches);
    }

    [Fact]
    public void AMatchWaitingOnAnAbsentEventIsReportedOnlyOnceItsWindowHasPassed()
    {
        var engine = Engine(LogonWithoutLogoff);
        var state = engine.CreateState("host-1");

        Assert.Empty(engine.Process(state, Process("on", 1, "logon")).Matches);
        Assert.Equal(1, state.AwaitingMatchCount);

        // Matching has reached 6 s (the window's inclusive end), so a logoff at 6 s could still come. (Only events the
        // query can use move matching on: another user's logoffs here.)
        Assert.Empty(engine.Process(state, Process("quiet", 6, "logoff", "bob")).Matches);
        Assert.Equal(At(6), engine.NextDeadline(state));

        var result = engine.Process(state, Process("after", 6.1, "logoff", "bob"));
        Assert.Equal([["on"]], result.Matches.Select(m => m.EventIds.ToArray()));
        Assert.Null(engine.NextDeadline(state));
    }

    [Fact]
    public void AnAbsentEventArrivingLateButWithinTheLatenessStillPreventsTheMatch()
    {
        // The logoff happened at 4 s but reaches the engine after events up to 6.5 s: a scheduled search that ran at 6 s
        // would have reported this logon; the stream waits for the lateness and does not.
        TelemetryEvent[] arrival = [Process("on", 1, "logon"), Process("other", 6.5, "other"), Process("off", 4, "logoff"), Process("after", 30, "other")];

        Assert.Empty(Run.Sequences(LogonWithoutLogoff, arrival, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void AQuietHostReportsTheMatchWhenTheWatermarkPassesTheWindow()
    {
        var engine = Engine(LogonWithoutLogoff, latenessSeconds: 2);
        var state = engine.CreateState("host-1");
        engine.Process(state, Process("on", 1, "logon"));

        // The service's clock says nothing before 5 s can still arrive: the window (up to 6 s) is still open.
        Assert.Empty(engine.AdvanceWatermark(state, At(5)).Matches);
        Assert.True(state.HoldsBackMatches);

        var result = engine.AdvanceWatermark(state, At(6.5));
        Assert.Equal([["on"]], result.Matches.Select(m => m.EventIds.ToArray()));
        Assert.False(state.HoldsBackMatches);
    }

    [Fact]
    public void AMiddleMissingStepRejectsASequenceWithTheEventBetweenItsNeighbours()
    {
        Assert.Equal([["a", "b"]], Run.Sequences(AWithoutXThenB, [Process("a", 1, "a"), Process("b", 3, "b")]));
        Assert.Empty(Run.Sequences(AWithoutXThenB, [Process("a", 1, "a"), Process("x", 2, "x"), Process("b", 3, "b")]));

        // Outside the two neighbours the event does not matter.
        Assert.Equal([["a", "b"]], Run.Sequences(AWithoutXThenB, [Process("x0", 0.5, "x"), Process("a", 1, "a"), Process("b", 3, "b"), Process("x1", 4, "x")]));
    }

    [Fact]
    public void AMiddleMissingStepIsCountedAsAnAbsentEventRejection()
    {
        var engine = Engine(AWithoutXThenB);
        var state = engine.CreateState("host-1");
        engine.Process(state, Process("a", 1, "a"));
        engine.Process(state, Process("x", 2, "x"));
        var result = engine.Process(state, Process("b", 3, "b"));

        Assert.Empty(result.Matches);
        Assert.Equal(1, result.Rejections.MissingEvent);
        Assert.Equal(1, engine.Rejections.Totals.MissingEvent);
    }

    [Fact]
    public void ALeadingMissingStepLooksBackMaxspanFromTheLastEvent()
    {
        // Window: from the last event (b at 12 s) minus maxspan (10 s) = 2 s, up to the first event (a at 5 s).
        Assert.Empty(Run.Sequences(NoXBeforeAThenB, [Process("x", 3, "x"), Process("a", 5, "a"), Process("b", 12, "b")]));
        Assert.Equal([["a", "b"]], Run.Sequences(NoXBeforeAThenB, [Process("x", 1.5, "x"), Process("a", 5, "a"), Process("b", 12, "b")]));
        Assert.Equal([["a", "b"]], Run.Sequences(NoXBeforeAThenB, [Process("a", 5, "a"), Process("x", 6, "x"), Process("b", 12, "b")]));
    }

    [Fact]
    public void ASequenceOfOneRepeatedStepAndAMissingStepIsValid()
    {
        const string query = """
            sequence by user.name with maxspan=5s
              [process where process.name == "a"] with runs=2
              ![process where process.name == "x"]
            """;

        Assert.Equal([["a1", "a2"]], Run.Sequences(query, [Process("a1", 1, "a"), Process("a2", 2, "a"), Process("late", 30, "other")]));
        Assert.Empty(Run.Sequences(query, [Process("a1", 1, "a"), Process("a2", 2, "a"), Process("x", 5.5, "x"), Process("late", 30, "other")]));
    }

    [Fact]
    public void AwaitingMatchesSurviveBeingStoredAsBytes()
    {
        var query = Run.Compile(LogonWithoutLogoff);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = TimeSpan.Zero });
        var serializer = new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf);
        var state = engine.CreateState("host-1");
        engine.Process(state, Process("on", 1, "logon"));

        var restored = serializer.Deserialize(serializer.Serialize(state));
        var result = engine.Process(restored, Process("after", 7, "logoff", "bob"));

        Assert.Equal([["on"]], result.Matches.Select(m => m.EventIds.ToArray()));
    }
}
