using Vigil.Eql.Kql;

namespace Vigil.Rules.UnitTests;

/// <summary>The rule-type keys of detection-rules files: defaults, spellings Elastic accepts, and where KQL errors land.</summary>
public sealed class RuleTypeLoadingTests
{
    private const string Head = """
        [metadata]
        creation_date = "2025/06/02"
        integration = "endpoint"

        [rule]
        description = "d"
        name = "n"
        risk_score = 1
        rule_id = "0b1e0000-0000-4000-8000-0000000000aa"
        severity = "low"

        """;

    private static DetectionRule Load(string body)
    {
        var result = RuleLoader.Parse(Head + body, "rule.toml");
        Assert.Empty(result.Errors);
        return Assert.Single(result.Rules);
    }

    [Fact]
    public void AnEqlRuleWithoutScheduleKeysGetsElasticsDefaults()
    {
        var rule = Load("""
            language = "eql"
            type = "eql"
            query = 'process where process.name == "curl"'
            """);

        Assert.Equal(RuleKind.Eql, rule.Kind);
        Assert.Null(rule.Dialect);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6), (int?)null), (rule.Schedule.Interval, rule.Schedule.LookBack, rule.Schedule.MaxSignals));
        Assert.Equal(1, rule.Version);
        Assert.False(rule.IsBuildingBlock);
        Assert.Equal(["endpoint"], rule.Metadata.Integrations);
    }

    [Fact]
    public void AThresholdFieldMayBeOneNameAListOrEmpty()
    {
        var one = Load("""
            language = "kuery"
            type = "threshold"
            query = 'event.category:process'

            [rule.threshold]
            field = "host.id"
            value = 10
            """);
        var none = Load("""
            language = "lucene"
            type = "threshold"
            query = 'event.category:process'

            [rule.threshold]
            field = []
            value = 2
            """);

        Assert.Equal(["host.id"], one.Threshold!.Fields);
        Assert.Equal(10L, one.Threshold.Value);
        Assert.Equal(QueryDialect.Kuery, one.Dialect);
        Assert.Empty(none.Threshold!.Fields);
        Assert.Equal(QueryDialect.Lucene, none.Dialect);
    }

    [Fact]
    public void NewTermsReadTheirFieldsAndHistoryWindow()
    {
        var rule = Load("""
            language = "kuery"
            type = "new_terms"
            from = "now-9m"
            query = 'event.category:file'

            [rule.new_terms]
            field = "new_terms_fields"
            value = ["host.id", "file.path"]
            [[rule.new_terms.history_window_start]]
            field = "history_window_start"
            value = "now-7d"
            """);

        Assert.Equal(["host.id", "file.path"], rule.NewTerms!.Fields);
        Assert.Equal(TimeSpan.FromDays(7), rule.NewTerms.HistoryWindow);
        Assert.Equal(TimeSpan.FromMinutes(9), rule.Schedule.LookBack);
    }

    [Fact]
    public void AThresholdRuleWithoutItsTableIsReported()
    {
        var result = RuleLoader.Parse(Head + """
            language = "kuery"
            type = "threshold"
            query = 'event.category:process'
            """, "rule.toml");

        Assert.Empty(result.Rules);
        Assert.Contains(result.Errors, e => e.Message.Contains("missing [threshold] table", StringComparison.Ordinal));
    }

    [Fact]
    public void AKqlErrorIsReportedAtItsLineAndColumnInTheFile()
    {
        var result = RuleLoader.Parse(Head + """
            language = "kuery"
            type = "query"
            query = '''
            event.category:process and
              process.pid:abc
            '''
            """, "rule.toml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("rule.toml:15:15: 'process.pid' holds numbers, and \"abc\" is not one", error.ToString());
    }
}
