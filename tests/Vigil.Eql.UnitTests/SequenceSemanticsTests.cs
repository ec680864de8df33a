using Vigil.Contracts.Telemetry;
using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>Sequence semantics, mirroring the examples of Elasticsearch's EQL syntax reference and its QA suite.</summary>
public sealed class SequenceSemanticsTests
{
    private const string AttribBashCat = """
        sequence by user.name
          [process where process.name == "attrib"]
          [process where process.name == "bash"]
          [process where process.name == "cat"]
        """;

    private const string AThenBUntilC = """
        sequence by user.name
          [process where process.name == "A"]
          [process where process.name == "B"]
        until [process where process.name == "C"]
        """;

    [Fact]
    public void TheDocumentedStateMachineExampleFindsTwoSequencesPerUser()
    {
        // "How sequence queries handle matches" in Elastic's EQL syntax reference: events 1..11, two users.
        TelemetryEvent[] events =
        [
            Process("1", 1, "attrib", "root"),
            Process("2", 2, "attrib", "root"),
            Process("3", 3, "bash", "elkbee"),
            Process("4", 4, "bash", "root"),
            Process("5", 5, "bash", "root"),
            Process("6", 6, "attrib", "elkbee"),
            Process("7", 7, "attrib", "root"),
            Process("8", 8, "bash", "elkbee"),
            Process("9", 9, "cat", "root"),
            Process("10", 10, "cat", "elkbee"),
            Process("11", 11, "cat", "root"),
        ];

        var matches = Run.Sequences(AttribBashCat, events);

        Assert.Equal([["2", "4", "9"], ["6", "8", "10"]], matches);
    }

    [Fact]
    public void UntilBetweenStepsExpiresTheSequenceButUntilAfterCompletionDoesNot()
    {
        // The syntax reference: "A, B" and "A, B, C" match; "A, C, B" does not.
        TelemetryEvent[] events =
        [
            Process("ab-a", 1, "A", "ab"), Process("ab-b", 2, "B", "ab"),
            Process("abc-a", 1, "A", "abc"), Process("abc-b", 2, "B", "abc"), Process("abc-c", 3, "C", "abc"),
            Process("acb-a", 1, "A", "acb"), Process("acb-c", 2, "C", "acb"), Process("acb-b", 3, "B", "acb"),
        ];

        var matches = Run.Sequences(AThenBUntilC, events.OrderBy(e => e.Timestamp));

        Assert.Equal(2, matches.Count);
        Assert.Contains(["ab-a", "ab-b"], matches);
        Assert.Contains(["abc-a", "abc-b"], matches);
    }

    [Fact]
    public void UntilOnlyDropsThePartialsOfItsOwnKey()
    {
        TelemetryEvent[] events = [Process("a", 1, "A", "alice"), Process("c", 2, "C", "bob"), Process("b", 3, "B", "alice")];

        Assert.Equal([["a", "b"]], Run.Sequences(AThenBUntilC, events));
    }

    [Fact]
    public void AnEventThatIsBothAStepAndTheUntilEventCompletesButStartsNothing()
    {
        const string query = """
            sequence by user.name
              [process where process.name : "A*"]
              [process where process.name : "A*"]
            until [process where process.name == "A2"]
            """;
        TelemetryEvent[] events = [Process("1", 1, "A1"), Process("2", 2, "A2"), Process("3", 3, "A3")];

        // Event 2 completes [1, 2]; as the until event it also stops the partial it starts, so 3 finds nothing to follow.
        Assert.Equal([["1", "2"]], Run.Sequences(query, events));
    }

    [Fact]
    public void MaxspanIsMeasuredFromTheFirstEventAndIsInclusive()
    {
        const string query = """
            sequence by user.name with maxspan=30s
              [process where process.name == "A"]
              [process where process.name == "B"]
              [process where process.name == "C"]
            """;

        Assert.Single(Run.Sequences(query, [Process("a", 0, "A"), Process("b", 20, "B"), Process("c", 30, "C")]));
        Assert.Empty(Run.Sequences(query, [Process("a", 0, "A"), Process("b", 20, "B"), Process("c", 30.000000001, "C")]));
    }

    [Fact]
    public void MaxspanAcceptsEveryElasticTimeUnit()
    {
        foreach (var (span, ok, tooLate) in new[] { ("1500ms", 1.5, 1.6), ("2s", 2, 2.1), ("1m", 60, 61), ("1h", 3600, 3601), ("1d", 86400, 86401) })
        {
            var query = $"sequence with maxspan={span} [process where process.name == \"A\"] [process where process.name == \"B\"]";
            Assert.Single(Run.Sequences(query, [Process("a", 0, "A"), Process("b", ok, "B")]));
            Assert.Empty(Run.Sequences(query, [Process("a", 0, "A"), Process("b", tooLate, "B")]));
        }
    }

    [Fact]
    public void ANewerPartialOverwritesTheOlderOneInTheSameState()
    {
        const string query = "sequence by user.name [process where process.name == \"A\"] [process where process.name == \"B\"]";

        Assert.Equal([["a2", "b"]], Run.Sequences(query, [Process("a1", 1, "A"), Process("a2", 2, "A"), Process("b", 3, "B")]));
    }

    [Fact]
    public void AnExpiredNewestPartialDoesNotFallBackToAnOlderOne()
    {
        const string query = "sequence with maxspan=10s [process where process.name == \"A\"] [process where process.name == \"B\"] [process where process.name == \"C\"]";

        // a1,b1 reached state B, then a2,b2 overwrote it; c is within 10 s of neither start, so nothing matches.
        TelemetryEvent[] events = [Process("a1", 0, "A"), Process("b1", 1, "B"), Process("a2", 2, "A"), Process("b2", 3, "B"), Process("c", 12.5, "C")];

        Assert.Empty(Run.Sequences(query, events));
    }

    [Fact]
    public void PerStepJoinKeysJoinDifferentFieldsPositionally()
    {
        // The syntax reference's example: a file written by a user, then a process run from that file's path.
        const string query = """
            sequence by user.name
              [file where file.extension == "exe"] by file.path
              [process where true] by process.executable
            """;
        TelemetryEvent[] events =
        [
            Event("f", 1, "file", e => { e.File = new Vigil.Contracts.Telemetry.File { Path = "/tmp/a.exe", Extension = "exe" }; e.User = new User { Name = "root" }; }),
            Event("other-path", 2, "process", e => { e.Process = new Process { Executable = "/tmp/b.exe" }; e.User = new User { Name = "root" }; }),
            Event("other-user", 3, "process", e => { e.Process = new Process { Executable = "/tmp/a.exe" }; e.User = new User { Name = "eve" }; }),
            Event("p", 4, "process", e => { e.Process = new Process { Executable = "/tmp/a.exe" }; e.User = new User { Name = "root" }; }),
        ];

        Assert.Equal([["f", "p"]], Run.Sequences(query, events));
    }

    [Fact]
    public void RunsRepeatsAStepThatManyTimes()
    {
        const string query = "sequence by user.name [process where process.name == \"A\"] [process where process.name == \"B\"] with runs=3";

        Assert.Equal(
            [["a", "b1", "b2", "b3"]],
            Run.Sequences(query, [Process("a", 1, "A"), Process("b1", 2, "B"), Process("x", 3, "X"), Process("b2", 4, "B"), Process("b3", 5, "B")]));
        Assert.Empty(Run.Sequences(query, [Process("a", 1, "A"), Process("b1", 2, "B"), Process("b2", 3, "B")]));
    }

    [Fact]
    public void RunsCombineWithPerStepKeys()
    {
        const string query = """
            sequence
              [process where process.name == "A"] by user.name
              [process where process.name == "B"] by user.name with runs=2
            """;

        Assert.Equal(
            [["a", "b1", "b3"]],
            Run.Sequences(query, [Process("a", 1, "A", "root"), Process("b1", 2, "B", "root"), Process("b2", 3, "B", "eve"), Process("b3", 4, "B", "root")]));
    }

    [Fact]
    public void EventsWithANullJoinKeyNeverJoin()
    {
        const string query = "sequence by user.name [process where process.name == \"A\"] [process where process.name == \"B\"]";
        TelemetryEvent[] withoutUser = [Event("a", 1, "process", e => e.Process = new Process { Name = "A" }), Event("b", 2, "process", e => e.Process = new Process { Name = "B" })];

        Assert.Empty(Run.Sequences(query, withoutUser));
    }

    [Fact]
    public void AnOptionalJoinKeyMayBeNull()
    {
        const string query = "sequence by ?user.name [process where process.name == \"A\"] [process where process.name == \"B\"]";
        TelemetryEvent[] withoutUser = [Event("a", 1, "process", e => e.Process = new Process { Name = "A" }), Event("b", 2, "process", e => e.Process = new Process { Name = "B" })];

        Assert.Equal([["a", "b"]], Run.Sequences(query, withoutUser));
    }

    [Fact]
    public void SequencesOverSeveralKeysRunSeparateStateMachines()
    {
        const string query = "sequence by user.name, process.parent.name [process where process.name == \"A\"] [process where process.name == \"B\"]";
        static TelemetryEvent P(string id, double at, string name, string user, string parent) =>
            Event(id, at, "process", e => { e.Process = new Process { Name = name, Parent = new Process { Name = parent } }; e.User = new User { Name = user }; });
        TelemetryEvent[] events =
        [
            P("a-root-zsh", 1, "A", "root", "zsh"),
            P("a-eve-zsh", 2, "A", "eve", "zsh"),
            P("a-root-bash", 3, "A", "root", "bash"),
            P("b-eve-zsh", 4, "B", "eve", "zsh"),
            P("b-root-zsh", 5, "B", "root", "zsh"),
            P("b-eve-bash", 6, "B", "eve", "bash"),
        ];

        var matches = Run.Sequences(query, events);

        Assert.Equal([["a-eve-zsh", "b-eve-zsh"], ["a-root-zsh", "b-root-zsh"]], matches);
    }

    [Fact]
    public void ACompletedSequenceIsConsumed()
    {
        const string query = "sequence by user.name [process where process.name == \"A\"] [process where process.name == \"B\"]";

        Assert.Equal([["a", "b1"]], Run.Sequences(query, [Process("a", 1, "A"), Process("b1", 2, "B"), Process("b2", 3, "B")]));
    }

    [Fact]
    public void AnEventThatCompletesASequenceCanAlsoStartTheNextOne()
    {
        // Elasticsearch's QA suite (twoSequencesAdditional3): with steps any event satisfies, 1,2,3 give [1,2] and [2,3].
        const string query = "sequence [process where true] [process where true]";

        Assert.Equal([["1", "2"], ["2", "3"]], Run.Sequences(query, [Process("1", 1, "x"), Process("2", 2, "x"), Process("3", 3, "x")]));
    }

    [Fact]
    public void EqualTimestampsAreOrderedByEventSequence()
    {
        const string query = "sequence [process where process.name == \"A\"] [process where process.name == \"B\"]";

        Assert.Single(Run.Sequences(query, [Process("b", 5, "B", sequence: 2), Process("a", 5, "A", sequence: 1)], TimeSpan.FromSeconds(1)));
        Assert.Empty(Run.Sequences(query, [Process("a", 5, "A", sequence: 2), Process("b", 5, "B", sequence: 1)], TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void AStepMustBeStrictlyAfterThePreviousOne()
    {
        const string query = "sequence [process where process.name == \"A\"] [process where process.name == \"B\"]";

        Assert.Empty(Run.Sequences(query, [Process("a", 5, "A", sequence: 7), Process("b", 5, "B", sequence: 7)]));
    }

    [Fact]
    public void ASequenceNeverSpansHosts()
    {
        const string withoutKeys = "sequence [process where process.name == \"A\"] [process where process.name == \"B\"]";
        const string byUser = "sequence by user.name [process where process.name == \"A\"] [process where process.name == \"B\"]";
        TelemetryEvent[] events = [Process("a", 1, "A", host: "mac-1"), Process("b", 2, "B", host: "mac-2")];

        Assert.Empty(Run.Sequences(withoutKeys, events));
        Assert.Empty(Run.Sequences(byUser, events));
        Assert.Single(Run.Sequences(byUser, [.. events, Process("b1", 3, "B", host: "mac-1")]));
    }

    [Fact]
    public void TheCategoryOfAStepMustBeAmongTheEventsCategories()
    {
        const string query = "sequence [process where process.name == \"A\"] [network where process.name == \"B\"]";
        var file = Event("file", 2, "file", e => e.Process = new Process { Name = "B" });
        var network = Event("net", 3, "network", e => e.Process = new Process { Name = "B" });

        Assert.Equal([["a", "net"]], Run.Sequences(query, [Process("a", 1, "A"), file, network]));
    }
}
