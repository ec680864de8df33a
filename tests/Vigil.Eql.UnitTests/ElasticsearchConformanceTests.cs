using Vigil.Contracts.Telemetry;
using Vigil.Eql.Syntax;
using static Vigil.Eql.UnitTests.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// Cases written from Elasticsearch's documented EQL behaviour (the syntax and function references, the grammar and the
/// QA specs' expectations), each naming what it checks.
/// </summary>
public sealed class ElasticsearchConformanceTests
{
    private static readonly TelemetryEvent Named = Event("named", 1, "process", e =>
    {
        e.Process = new Process { Name = "curl" };
        e.User = new User { Name = "alice" };
        e.Destination = new Endpoint { Ip = "10.1.2.3" };
    });

    // No user.name, no process.name: every comparison on them meets a null.
    private static readonly TelemetryEvent Unnamed = Event("unnamed", 1, "process", e => e.Destination = new Endpoint { Ip = "10.1.2.3" });

    private static bool Holds(string condition, TelemetryEvent e) => Run.Compile($"any where {condition}").Matches(e);

    [Theory]
    [InlineData("cidrmatch(destination.ip, \"10.0.0.0/8\")")]
    [InlineData("CIDRMATCH(destination.ip, \"10.0.0.0/8\")")]
    [InlineData("cidrMatch(destination.ip, \"10.0.0.0/8\")")]
    [InlineData("startswith(process.name, \"cu\")")]
    [InlineData("STARTSWITH~(process.name, \"CU\")")]
    [InlineData("stringcontains(process.name, \"ur\")")]
    public void FunctionNamesResolveWhateverTheirCase(string condition)
    {
        // Elasticsearch's function registry normalizes a name before looking it up; '~' alone changes string matching.
        Assert.True(Holds(condition, Named));
    }

    [Fact]
    public void FunctionNameCaseDoesNotChangeHowStringsCompare()
    {
        Assert.False(Holds("STARTSWITH(process.name, \"CU\")", Named));
    }

    [Fact]
    public void ASingleStepWithRunsIsAValidSequence()
    {
        // The syntax reference documents "with runs=N" as the step written N times, so one step with runs=5 is a
        // five-step sequence (Elasticsearch expands runs before it checks for at least two steps).
        const string query = "sequence by user.name with maxspan=1m [process where process.name == \"curl\"] with runs=5";
        var events = Enumerable.Range(1, 5).Select(i => Process($"c{i}", i, "curl")).ToList();

        Assert.Equal([["c1", "c2", "c3", "c4", "c5"]], Run.Sequences(query, events));
        Assert.Empty(Run.Sequences(query, events.Take(4)));
    }

    [Theory]
    [InlineData("sequence [process where true] with runs=1")]
    [InlineData("sequence [process where true] with runs=0")]
    [InlineData("sequence [process where true] with runs=101")]
    public void RunsOutsideOneToOneHundredOrASingleRunOfOneStepIsRejected(string query)
    {
        Assert.Throws<EqlException>(() => EqlParser.Parse(query));
    }

    [Fact]
    public void WithRunsFollowsTheStepsByKeys()
    {
        // Grammar: sequenceTerm is subquery, then "by" keys, then "with runs".
        var query = (SequenceQuery)EqlParser.Parse("sequence [process where true] by user.name with runs=2 [file where true] by user.name");

        Assert.Equal(2, query.Steps[0].Runs);
        Assert.Equal("user.name", query.Steps[0].Keys.Single().Path);
    }

    [Theory]
    // Field-versus-value comparisons run as term, terms and range queries: a missing value fails ==, <, in, ':'...
    [InlineData("user.name == \"bob\"", false)]
    [InlineData("user.name : \"bob\"", false)]
    [InlineData("user.name in (\"bob\", \"carol\")", false)]
    // ...and the negations run as must_not of those queries, so a missing value satisfies them.
    [InlineData("user.name != \"bob\"", true)]
    [InlineData("not user.name == \"bob\"", true)]
    [InlineData("user.name not in (\"bob\", \"carol\")", true)]
    [InlineData("not user.name : \"bob\"", true)]
    // A null check is an exists query.
    [InlineData("user.name == null", true)]
    [InlineData("user.name != null", false)]
    public void AMissingFieldBehavesAsElasticsearchsQueriesTreatIt(string condition, bool expected)
    {
        Assert.Equal(expected, Holds(condition, Unnamed));
    }

    [Theory]
    // A comparison over a function or arithmetic runs as a script: a null operand makes it null, which matches no event,
    // whatever the operator.
    [InlineData("length(user.name) > 1", false)]
    [InlineData("length(user.name) != 1", false)]
    [InlineData("length(user.name) == 1", false)]
    [InlineData("length(user.name) not in (1, 2)", false)]
    // not of such a script is must_not of it: it matches.
    [InlineData("not length(user.name) > 1", true)]
    // Used as a value, a comparison with a null operand is null (three-valued logic), so a null check on it holds.
    [InlineData("null == (length(user.name) > 1)", true)]
    [InlineData("(user.name == \"bob\") == null", true)]
    [InlineData("(user.name == \"bob\") == false", false)]
    [InlineData("(not (user.name == \"bob\")) == null", true)]
    // Kleene logic inside a value: false and null is false, true or null is true, true and null is null.
    [InlineData("((user.name == \"bob\") and false) == false", true)]
    [InlineData("((user.name == \"bob\") or true) == true", true)]
    [InlineData("((user.name == \"bob\") and true) == null", true)]
    [InlineData("((user.name == \"bob\") or false) == null", true)]
    public void ExpressionsUseThreeValuedLogicWhereElasticsearchRunsThemAsScripts(string condition, bool expected)
    {
        Assert.Equal(expected, Holds(condition, Unnamed));
    }

    [Theory]
    [InlineData("null == (length(user.name) > 1)", false)]
    [InlineData("length(user.name) != 1", true)]
    [InlineData("(user.name == \"bob\") == false", true)]
    public void WithTheValuePresentTheSameExpressionsAreTwoValued(string condition, bool expected)
    {
        Assert.Equal(expected, Holds(condition, Named));
    }

    [Fact]
    public void MissingEventStepsAreParsedAtTheStartMiddleAndEnd()
    {
        var query = (SequenceQuery)EqlParser.Parse("""
            sequence by user.name with maxspan=1m
              ![process where process.name == "a"]
              [process where process.name == "b"]
              ![process where process.name == "c"]
              [process where process.name == "d"]
              ![process where process.name == "e"]
            """);

        Assert.Equal([true, false, true, false, true], query.Steps.Select(s => s.Missing));
    }

    [Fact]
    public void ASampleParsesSharedAndPerFilterKeys()
    {
        var query = (SampleQuery)EqlParser.Parse("sample by host.id [process where true] by user.name [file where true] by user.name");

        Assert.Equal("host.id", query.SharedKeys.Single().Path);
        Assert.Equal(2, query.Filters.Count);
        Assert.Equal(["user.name", "user.name"], query.Filters.Select(f => f.Keys.Single().Path));
    }
}
