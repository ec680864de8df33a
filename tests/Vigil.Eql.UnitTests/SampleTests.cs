using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;
using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// <c>sample by ...</c> as Elasticsearch's EQL syntax reference describes it: events sharing the join key values, one per
/// filter, in any time order, listed in the order of the filters they match; no maxspan, runs or until; one sample per
/// key combination. A stream bounds it by the span that stands in for a look-back.
/// </summary>
public sealed class SampleTests
{
    private const string FileThenProcess = """
        sample by user.name
          [file where file.extension == "exe"]
          [process where true]
        """;

    private static TelemetryEvent Exe(string id, double seconds, string user = "root") =>
        Event(id, seconds, "file", e =>
        {
            e.File = new Vigil.Contracts.Telemetry.File { Extension = "exe" };
            e.User = new User { Name = user };
        });

    [Fact]
    public void EventsMatchInAnyTimeOrderAndAreListedInFilterOrder()
    {
        // The process comes first in time; the sample still lists the file event first, as its filter comes first.
        var matches = Run.Sequences(FileThenProcess, [Process("p", 1, "bash"), Exe("f", 2)]);

        Assert.Equal([["f", "p"]], matches);
    }

    [Fact]
    public void EachJoinKeyGetsItsOwnSample()
    {
        var matches = Run.Sequences(FileThenProcess, [Exe("f1", 1, "alice"), Process("p2", 2, "bash", "bob"), Process("p1", 3, "bash", "alice"), Exe("f2", 4, "bob")]);

        Assert.Equal([["f1", "p1"], ["f2", "p2"]], matches);
    }

    [Fact]
    public void AKeyReportsOneSampleOnly()
    {
        var matches = Run.Sequences(FileThenProcess, [Exe("f1", 1), Process("p1", 2, "bash"), Exe("f2", 3), Process("p2", 4, "bash")]);

        Assert.Equal([["f1", "p1"]], matches);
    }

    [Fact]
    public void OneEventFillsOneFilterOnly()
    {
        const string twoProcesses = "sample by user.name [process where true] [process where true]";

        Assert.Empty(Run.Sequences(twoProcesses, [Process("p1", 1, "bash")]));
        Assert.Equal([["p1", "p2"]], Run.Sequences(twoProcesses, [Process("p1", 1, "bash"), Process("p2", 2, "zsh")]));
    }

    [Fact]
    public void AnEventWithoutTheJoinKeyJoinsNothing()
    {
        var noUser = Event("p", 2, "process", e => e.Process = new Process { Name = "bash" });

        Assert.Empty(Run.Sequences(FileThenProcess, [Exe("f", 1), noUser]));
    }

    [Fact]
    public void AStreamBoundsASampleByItsSpan()
    {
        var query = Run.Compile(FileThenProcess);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = TimeSpan.Zero, SpanWithoutMaxSpan = TimeSpan.FromMinutes(6) });
        var runner = new InMemorySequenceRunner<TelemetryEvent>(engine);

        var matches = new[] { Exe("f", 0), Process("p", 400, "bash") }.SelectMany(runner.Process).Concat(runner.Flush()).ToList();

        Assert.Empty(matches);
    }
}
