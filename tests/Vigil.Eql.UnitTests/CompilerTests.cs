using Vigil.Eql.Documents;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

public sealed class CompilerTests
{
    private static EqlException CompileError(string query) => Assert.Throws<EqlException>(() => Run.Compile(query));

    [Fact]
    public void AnUnknownFieldIsReportedAtItsPositionWithASuggestion()
    {
        var error = CompileError("sequence\n  [process where proces.name == \"bash\"]\n  [network where true]").First;

        Assert.Equal(new SourceLocation("query", 2, 18), error.Location);
        Assert.Equal("unknown field 'proces.name': the event has no field 'proces' (did you mean 'process'?)", error.Message);
    }

    [Fact]
    public void AnUnknownNestedFieldNamesTheObjectThatLacksIt()
    {
        var error = CompileError("process where process.parent.nmae == \"x\"").First;

        Assert.Equal("unknown field 'process.parent.nmae': 'process.parent' has no field 'nmae' (did you mean 'name'?)", error.Message);
    }

    [Fact]
    public void EveryProblemOfAQueryIsReported()
    {
        var error = CompileError("process where proces.name == \"a\" and process.pid : \"x\" and user.nme == \"b\"");

        Assert.Equal(
            [
                "query:1:15: unknown field 'proces.name': the event has no field 'proces' (did you mean 'process'?)",
                "query:1:38: ':' compares strings, but 'process.pid' is a number",
                "query:1:60: unknown field 'user.nme': 'user' has no field 'nme' (did you mean 'name'?)",
            ],
            error.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void AnUnknownOptionalFieldCompilesAndReadsNull()
    {
        var query = Run.Compile("process where ?process.Ext.relative_file_creation_time == null");

        Assert.True(query.Matches(Telemetry.Process("p", 1, "bash")));
    }

    [Theory]
    [InlineData("@timestamp", "@timestamp")]
    [InlineData("process.Ext.effective_parent.executable", "process.Ext.effective_parent.executable")]
    [InlineData("file.Ext.original.path", "file.Ext.original.path")]
    [InlineData("file.Ext.header_bytes", "file.Ext.header_bytes")]
    [InlineData("PROCESS.Parent.Code_Signature.Trusted", "process.parent.code_signature.trusted")]
    [InlineData("dns.question.name", "dns.question.name")]
    public void EcsPathsResolveToTheTelemetryContract(string written, string canonical)
    {
        Assert.True(TelemetrySchemas.Fields.TryResolve(written, out var field, out var problem), problem);
        Assert.Equal(canonical, field.Path);
    }

    [Theory]
    [InlineData("process where process.parent == \"x\"", "'process.parent' is an object, not a value: name one of its fields")]
    [InlineData("process where process.name.length == 1", "'name' is a value and has no field 'length'")]
    [InlineData("process where process.name > 5", "cannot compare 'process.name' (a string) with 5 (a number)")]
    [InlineData("process where process.pid == \"1\"", "cannot compare 'process.pid' (a number) with \"1\" (a string)")]
    [InlineData("process where process.name == process.executable", "comparing a field to another field is not supported ('process.name' == 'process.executable'): compare each with a value")]
    [InlineData("process where process.name", "expected a condition (true or false), but 'process.name' is a string")]
    [InlineData("process where process.pid < null", "only == and != compare with null ('process.pid' < null)")]
    [InlineData("process where process.pid like \"1*\"", "'like' compares strings, but 'process.pid' is a number")]
    [InlineData("process where process.name in (\"a\", process.executable)", "'in' lists hold values, not fields or expressions ('process.executable')")]
    [InlineData("process where process.name regex \"a[\"", "invalid regular expression \"a[\":")]
    [InlineData("process where arrayContains(process.args, \"a\")", "unknown function 'arrayContains': expected one of")]
    [InlineData("process where length~(process.name) == 1", "length has no case-insensitive variant (length~)")]
    [InlineData("process where startsWith(process.name)", "startsWith takes 2 arguments, not 1")]
    [InlineData("process where cidrMatch(destination.ip, \"10.0.0.0/33\")", "\"10.0.0.0/33\" is not a CIDR block")]
    [InlineData("process where cidrMatch(destination.ip, destination.domain)", "cidrMatch needs string literals after its first argument")]
    [InlineData("process where length(process.pid) == 1", "length expects a string, but 'process.pid' is a number")]
    [InlineData("process where process.name - 1 == 2", "expected a number, but 'process.name' is a string")]
    [InlineData("sequence [process where true] by user.name [network where true]", "every step needs the same number of join keys: the first step has 1, this step has 0")]
    [InlineData("sequence [process where true] by user.name [network where true] by user.id until [process where true]", "every step needs the same number of join keys: the first step has 1, the until step has 0")]
    [InlineData("sequence by user.nmae [process where true] [network where true]", "unknown field 'user.nmae'")]
    public void IllTypedOrUnknownConstructsAreCompileErrors(string query, string message)
    {
        Assert.StartsWith(message, CompileError(query).First.Message);
    }

    [Fact]
    public void TheFingerprintFollowsTheQueryText()
    {
        Assert.Equal(Run.Compile("process where true").Fingerprint, Run.Compile("process where true").Fingerprint);
        Assert.NotEqual(Run.Compile("process where true").Fingerprint, Run.Compile("process where  true").Fingerprint);
    }

    [Fact]
    public void MatchesIsOnlyForSingleEventQueries()
    {
        var sequence = Run.Compile("sequence [process where true] [process where true]");

        Assert.Throws<InvalidOperationException>(() => sequence.Matches(Telemetry.Process("p", 1, "x")));
    }
}
