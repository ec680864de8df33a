using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Kql;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

/// <summary>KQL and Lucene queries as Kibana and Elasticsearch read them, evaluated on the EQL predicate nodes.</summary>
public sealed class KqlTests
{
    private static readonly TelemetryEvent Sample = Telemetry.Event("e", 1, "process", e =>
    {
        e.Event.Type.Add(["start", "info"]);
        e.Event.Action = "exec";
        e.Process = new Process
        {
            Name = "osascript",
            Pid = 42,
            Args = { "osascript", "-e", "display dialog \"Password\"" },
            Executable = "/usr/bin/osascript",
            CommandLine = "osascript -e display dialog",
            Parent = new Process { Name = "Terminal", Executable = "/System/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal" },
            CodeSignature = new CodeSignature { Trusted = true },
        };
        e.User = new User { Name = "alice(admin)" };
    });

    private static bool Kql(string query) => KqlCompiler.Compile(query, QueryDialect.Kuery, TelemetrySchemas.Protobuf).Matches(Sample);

    private static bool Lucene(string query) => KqlCompiler.Compile(query, QueryDialect.Lucene, TelemetrySchemas.Protobuf).Matches(Sample);

    [Theory]
    [InlineData("process.name:osascript", true)]
    [InlineData("process.name:Osascript", false)]
    [InlineData("process.name:\"osascript\"", true)]
    [InlineData("event.category:process and event.type:start", true)]
    [InlineData("event.type:end", false)]
    [InlineData("process.pid:42", true)]
    [InlineData("process.pid:\"42\"", true)]
    [InlineData("process.code_signature.trusted:true", true)]
    [InlineData("process.code_signature.trusted:false", false)]
    public void AFieldValueIsAnExactCaseSensitiveTermCoercedToTheFieldsType(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("process.name:osa*", true)]
    [InlineData("process.name:*script", true)]
    [InlineData("process.name:*SCRIPT", false)]
    [InlineData("process.parent.executable:/System/Applications/*/Terminal", true)]
    [InlineData("process.name:\"osa*\"", false)]
    [InlineData("process.name:osa\\*", false)]
    [InlineData("process.name:osascrip?", false)]
    [InlineData("process.args:display*", true)]
    public void OnlyAnUnquotedStarIsAWildcardAndItIsCaseSensitive(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("process.name:osascript or process.name:curl and process.pid:1", true)]
    [InlineData("(process.name:osascript or process.name:curl) and process.pid:1", false)]
    [InlineData("not process.name:curl and process.pid:42", true)]
    [InlineData("not (process.name:curl or process.pid:42)", false)]
    [InlineData("process.name:osascript AND NOT process.pid:1", true)]
    [InlineData("process.name:osascript Or process.name:curl", true)]
    public void NotBindsTighterThanAndWhichBindsTighterThanOr(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("process.name:(curl or osascript)", true)]
    [InlineData("process.name:(curl or wget)", false)]
    [InlineData("process.args:(\"-e\" and osascript)", true)]
    [InlineData("process.args:(\"-e\" and not osascript)", false)]
    [InlineData("event.type:(start and info)", true)]
    public void AListOfValuesAppliesEachToTheField(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("process.pid > 41", true)]
    [InlineData("process.pid >= 42", true)]
    [InlineData("process.pid < 42", false)]
    [InlineData("process.pid <= 42", true)]
    [InlineData("@timestamp >= \"2024-01-01T00:00:00Z\"", true)]
    [InlineData("@timestamp < \"2024-01-01T00:00:00.5Z\"", false)]
    [InlineData("@timestamp < 1704067202000", true)]
    public void RangesCompareNumbersAndDates(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("process.parent.name:*", true)]
    [InlineData("process.hash.sha256:*", false)]
    [InlineData("not process.hash.sha256:*", true)]
    [InlineData("process.parent:{ name:Terminal and executable:*Terminal }", true)]
    [InlineData("process.parent:{ name:Finder }", false)]
    [InlineData("*:*", true)]
    [InlineData("*:* and not process.name:osascript", false)]
    public void StarAloneMeansTheFieldExistsAndBracesNestFields(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("user.name:alice\\(admin\\)", true)]
    [InlineData("user.name:\"alice(admin)\"", true)]
    [InlineData("process.args:\"display dialog \\\"Password\\\"\"", true)]
    [InlineData("process.command_line:osascript -e display dialog", true)]
    public void EscapesQuotesAndSpacesInUnquotedValues(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Fact]
    public void AnEscapedKeywordIsPartOfTheValue()
    {
        var e = Telemetry.Event("k", 1, "process", x => x.Process = new Process { CommandLine = "a or b" });
        var query = KqlCompiler.Compile("process.command_line:a \\or b", QueryDialect.Kuery, TelemetrySchemas.Protobuf);
        Assert.True(query.Matches(e));
    }

    [Theory]
    [InlineData("process.name:osascript AND process.pid:42", true)]
    [InlineData("process.name:curl OR process.pid:42", true)]
    [InlineData("process.name:curl process.pid:42", true)]
    [InlineData("+process.name:osascript -process.pid:42", false)]
    [InlineData("+process.name:osascript curl:x", true)]
    [InlineData("process.name:osascrip?", true)]
    [InlineData("process.name:(curl OR osa*)", true)]
    [InlineData("NOT process.name:osascript", false)]
    [InlineData("!process.name:curl && process.pid:[40 TO 42]", true)]
    [InlineData("process.pid:{40 TO 42}", false)]
    [InlineData("process.pid:[43 TO *]", false)]
    [InlineData("_exists_:process.parent.name", true)]
    [InlineData("process.name:/osa.*t/", true)]
    [InlineData("process.name:/OSA.*/", false)]
    [InlineData("user.name:alice\\(admin\\)", true)]
    [InlineData("process.pid:>=42", true)]
    public void LuceneQueryStringSyntax(string query, bool expected)
    {
        var fields = query.Replace("curl:x", "process.name:x", StringComparison.Ordinal);
        Assert.Equal(expected, Lucene(fields));
    }

    [Theory]
    [InlineData("process.name:", 1, 14, "a value for 'process.name'")]
    [InlineData("process.name:a\\ b", 1, 15, "is not an escape KQL knows")]
    [InlineData("process.name:(curl or", 1, 22, "value")]
    [InlineData("curl", 1, 1, "has no field")]
    [InlineData("process.nme:curl", 1, 1, "process.nme")]
    [InlineData("process.pid:abc", 1, 13, "holds numbers")]
    [InlineData("process.name:curl and\n  (process.pid:1", 2, 17, "')'")]
    [InlineData("process.name:\"curl", 1, 14, "never closed")]
    public void ErrorsSayWhereAndWhat(string query, int line, int column, string message)
    {
        var error = Assert.Throws<EqlException>(() => KqlCompiler.Compile(query, QueryDialect.Kuery, TelemetrySchemas.Protobuf));
        Assert.Equal((line, column), (error.First.Location.Line, error.First.Location.Column));
        Assert.Contains(message, error.First.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorsInARuleFileArePlacedInsideTheFile()
    {
        var source = new EqlSource("rules/x.toml", "event.category:process and\nprocess.pid:abc", FirstLine: 20, FirstColumn: 1);
        var error = Assert.Throws<EqlException>(() => KqlCompiler.Compile(source, QueryDialect.Kuery, TelemetrySchemas.Protobuf));
        Assert.Equal("rules/x.toml:21:13", error.First.Location.ToString());
    }

    [Fact]
    public void AKqlQueryCompilesToTheSameResultsAsTheEquivalentEqlQuery()
    {
        var kql = KqlCompiler.Compile("event.category:process and process.name:(osascript or curl) and not user.name:root", QueryDialect.Kuery, TelemetrySchemas.Protobuf);
        var eql = Run.Compile("any where event.category == \"process\" and process.name in (\"osascript\", \"curl\") and not user.name == \"root\"");
        var events = new[]
        {
            Sample,
            Telemetry.Process("a", 2, "curl", user: "root"),
            Telemetry.Process("b", 3, "curl", user: "bob"),
            Telemetry.Process("c", 4, "Curl", user: "bob"),
        };
        Assert.Equal(events.Select(eql.Matches), events.Select(kql.Matches));
        Assert.False(kql.IsSequence);
    }
}
