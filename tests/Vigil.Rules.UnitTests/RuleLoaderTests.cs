using Vigil.Eql;
using Vigil.Eql.Documents;
using Vigil.Eql.Syntax;
using Vigil.Rules;

namespace Vigil.Rules.UnitTests;

public sealed class RuleLoaderTests
{
    private static DetectionRule InstallerRule() =>
        Assert.Single(RuleLoader.LoadFile(Fixtures.File("valid", "macos/execution_installer_package_spawned_network_event.toml")).Rules);

    [Fact]
    public void AFolderOfElasticRulesLoadsWithoutErrors()
    {
        var result = RuleLoader.LoadDirectory(Fixtures.Folder("valid"));

        Assert.Empty(result.Errors);
        Assert.Equal(["MacOS Installer Package Spawns Network Event", "Suspicious Installer Package Spawns Network Event"], result.Rules.Select(r => r.Name));
    }

    [Fact]
    public void TheRuleTableIsReadIntoTypedFields()
    {
        var rule = InstallerRule();

        Assert.Equal("99239e7d-b0d4-46e3-8609-acafcf99f68c", rule.RuleId);
        Assert.Equal(47, rule.RiskScore);
        Assert.Equal(RuleSeverity.Medium, rule.Severity);
        Assert.Equal("eql", rule.Type);
        Assert.Equal("eql", rule.Language);
        Assert.StartsWith("Detects the execution of a MacOS installer package", rule.Description);
        Assert.Contains("OS: macOS", rule.Tags);
        Assert.Equal(("2021/02/23", "2024/05/21", "production"), (rule.Metadata.CreationDate, rule.Metadata.UpdatedDate, rule.Metadata.Maturity));
        Assert.Equal(["endpoint"], rule.Metadata.Integrations);
    }

    [Fact]
    public void TheThreatMappingKeepsTacticsTechniquesAndSubtechniques()
    {
        var threats = InstallerRule().Threats;

        Assert.Equal(["TA0002", "TA0011"], threats.Select(t => t.Tactic.Id));
        Assert.Equal("Command and Control", threats[1].Tactic.Name);
        Assert.Equal("MITRE ATT&CK", threats[0].Framework);
        var technique = Assert.Single(threats[0].Techniques);
        Assert.Equal(("T1059", "Command and Scripting Interpreter"), (technique.Id, technique.Name));
        Assert.Equal(["T1059.007"], technique.Subtechniques.Select(s => s.Id));
        Assert.Equal("T1071.001", threats[1].Techniques[0].Subtechniques[0].Id);
    }

    [Fact]
    public void TheVigilSectionParsesDurationsAndExceptions()
    {
        var vigil = InstallerRule().Vigil;

        Assert.Equal("installer-network", vigil.Analytic);
        Assert.Equal(TimeSpan.FromSeconds(2), vigil.Lateness);
        Assert.Equal(2, vigil.Exceptions.Count);
        Assert.Equal(["/usr/local/jamf/bin/jamf", "/Library/Application Support/JAMF/*"], vigil.Exceptions[0].ParentExecutables);
        Assert.Equal(["*.jamfcloud.com"], vigil.Exceptions[0].DestinationDomains);
        Assert.Equal(["10.20.0.0/16", "fd00:20::/32"], vigil.Exceptions[1].DestinationIps);
    }

    [Fact]
    public void AlertSuppressionIsReadInElasticsFormAndCheckedAtLoad()
    {
        const string Head = """
            [rule]
            description = "d"
            language = "eql"
            name = "n"
            risk_score = 21
            rule_id = "r"
            severity = "low"
            type = "eql"
            query = 'process where process.name == "curl"'

            """;
        var rule = Assert.Single(RuleLoader.Parse(Head + """
            [rule.alert_suppression]
            group_by = ["host.id", "user.name"]
            duration = { value = 2, unit = "h" }
            missing_fields_strategy = "doNotSuppress"
            """, "ok.toml").Rules);
        Assert.Equal(new AlertSuppression(["host.id", "user.name"], TimeSpan.FromHours(2), TimeSpan.FromHours(2), MissingFieldsStrategy.DoNotSuppress) with { GroupBy = rule.AlertSuppression!.GroupBy }, rule.AlertSuppression);
        Assert.Equal(["host.id", "user.name"], rule.AlertSuppression.GroupBy);

        var perExecution = Assert.Single(RuleLoader.Parse(Head.Replace("type = \"eql\"", "type = \"eql\"\ninterval = \"10m\"", StringComparison.Ordinal) + """
            [rule.alert_suppression]
            group_by = ["host.id"]
            """, "interval.toml").Rules);
        Assert.Equal((null, TimeSpan.FromMinutes(10), MissingFieldsStrategy.Suppress), (perExecution.AlertSuppression!.Duration, perExecution.AlertSuppression.Window, perExecution.AlertSuppression.MissingFields));

        var broken = RuleLoader.Parse(Head + """
            [rule.alert_suppression]
            group_by = ["host.nmae"]
            duration = { value = 0, unit = "d" }
            missing_fields_strategy = "ignore"
            """, "bad.toml");
        Assert.Equal(
            [
                "bad.toml:11:12: group_by field 'host.nmae': unknown field 'host.nmae': 'host' has no field 'nmae' (did you mean 'name'?)",
                "bad.toml:12:22: the suppression duration must be positive, not 0",
                "bad.toml:12:32: 'unit' in [rule.alert_suppression] duration must be one of s, m, h, not \"d\"",
                "bad.toml:13:27: 'missing_fields_strategy' in [rule.alert_suppression] must be one of suppress, doNotSuppress, not \"ignore\"",
            ],
            broken.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ARuleWithoutAVigilSectionGetsNone()
    {
        var rule = Assert.Single(RuleLoader.LoadFile(Fixtures.File("valid", "macos/execution_installer_package_spawned_network_event_v2.toml")).Rules);

        Assert.Same(VigilRuleSettings.None, rule.Vigil);
    }

    [Fact]
    public void TheQueryIsTheElasticRuleVerbatimAndKnowsWhereItStartsInTheFile()
    {
        var rule = InstallerRule();

        Assert.StartsWith("sequence by host.id, user.id with maxspan=30s [process where host.os.type == \"macos\"", rule.Query.Text);
        Assert.Equal(25, rule.Query.FirstLine);
        Assert.Equal(1, rule.Query.FirstColumn);
        var compiled = EqlCompiler.Compile(rule.Query, TelemetrySchemas.Protobuf);
        Assert.Equal(TimeSpan.FromSeconds(30), compiled.MaxSpan);
        Assert.Equal(new SourceLocation(rule.SourceName, 25, 47), ((SequenceQuery)compiled.Syntax).Steps[0].Location);
    }

    [Fact]
    public void LoadingAFolderReportsEveryBrokenRuleWithItsPosition()
    {
        var folder = Fixtures.Folder("with_errors");

        var result = RuleLoader.LoadDirectory(folder);

        Assert.Empty(result.Rules);
        Assert.Equal(
            [
                "bad_fields.toml:1:1: missing 'rule_id' in [rule]",
                "bad_fields.toml:5:14: 'risk_score' must be an integer, not a string",
                "bad_fields.toml:6:12: severity \"urgent\" is not one of low, medium, high, critical",
                "bad_fields.toml:7:8: ES|QL rules (type = \"esql\") are not supported: Vigil runs eql, query, threshold and new_terms rules",
                "bad_new_terms.toml:12:1: the query ends where a value for 'process.name' was expected",
                "bad_new_terms.toml:15:9: [rule.new_terms] field is \"new_terms_fields\", not \"terms\"",
                "bad_new_terms.toml:16:9: new terms combine 1 to 3 fields, not 4",
                "bad_new_terms.toml:19:9: history_window_start \"7d\" is not date math Vigil reads: expected \"now-\" and a duration (s, m, h or d), as in \"now-7d\"",
                "bad_threat.toml:14:6: 'TA1059' is not a MITRE ATT&CK id of this kind (expected e.g. T1059)",
                "bad_threat.toml:20:6: sub-technique T1071.001 does not belong to technique T1059",
                "bad_threat.toml:24:6: 'T0002' is not a MITRE ATT&CK id of this kind (expected e.g. TA0002)",
                "bad_types.toml:3:8: from \"now-6 minutes\" is not date math Vigil reads: expected \"now-\" and a duration (s, m, h or d), as in \"now-6m\"",
                "bad_types.toml:4:12: interval \"5x\" is not a duration: expected a whole number and a unit (s, m, h or d), as in \"5m\"",
                "bad_types.toml:5:12: query language \"eql\" is not supported for this rule type: expected \"kuery\" or \"lucene\"",
                "bad_types.toml:6:15: max_signals must be a positive integer, not 0",
                "bad_types.toml:11:22: timestamp_override: unknown field 'event.created_at': 'event' has no field 'created_at' (did you mean 'created'?)",
                "bad_types.toml:16:9: unknown field 'host.idd': 'host' has no field 'idd' (did you mean 'id'?)",
                "bad_types.toml:17:9: the threshold value must be at least 1, not 0",
                "bad_vigil.toml:12:12: lateness \"2 seconds\" is not a duration: expected a whole number and a unit (ms, s, m, h or d), as in \"30s\"",
                "bad_vigil.toml:13:1: unknown key 'latenes' in [vigil]: expected analytic, lateness, suppression_window, exception, new_terms_learning, sequence_span, max_pending_keys, max_state_bytes",
                "bad_vigil.toml:16:18: \"10.0.0.300\" is not an IP address or CIDR block",
                "bad_vigil.toml:18:1: an exception needs at least one of process_executable, parent_executable, signing_id, team_id, user, path_prefix, destination_domain, destination_ip",
                "bad_vigil.toml:19:1: unknown key 'process_name' in [[vigil.exception]]: expected description, process_executable, parent_executable, signing_id, team_id, user, path_prefix, destination_domain, destination_ip",
                "duplicate_key.toml:5:1: invalid TOML: The key `rule.name` is already defined at (4,1) with `name = \"First\"` and cannot be redefined",
                "syntax_error.toml:3:13: invalid TOML: Unexpected token end-of-line found while expecting a value",
                "unknown_field.toml:14:44: unknown field 'proces.name': the event has no field 'proces' (did you mean 'process'?)",
            ],
            result.Errors.Select(e => Path.GetRelativePath(folder, e.Location.Source) + e.ToString()[e.Location.Source.Length..]));
    }

    [Fact]
    public void ARuleIdUsedTwiceInAFolderIsReported()
    {
        var folder = Directory.CreateTempSubdirectory("vigil-rules-");
        try
        {
            var text = File.ReadAllText(Fixtures.File("valid", "macos/execution_installer_package_spawned_network_event.toml"));
            File.WriteAllText(Path.Combine(folder.FullName, "a.toml"), text);
            File.WriteAllText(Path.Combine(folder.FullName, "b.toml"), text);

            var result = RuleLoader.LoadDirectory(folder.FullName);

            Assert.Single(result.Rules);
            var error = Assert.Single(result.Errors);
            Assert.EndsWith("b.toml", error.Location.Source);
            Assert.Equal($"rule_id 99239e7d-b0d4-46e3-8609-acafcf99f68c is already used by {Path.Combine(folder.FullName, "a.toml")}", error.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1500ms", 1_500)]
    [InlineData("15m", 900_000)]
    [InlineData(" 2h ", 7_200_000)]
    public void DurationsUseElasticTimeUnits(string text, long milliseconds)
    {
        Assert.True(TimeUnits.TryParse(text, out var span));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), span);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("2 weeks")]
    [InlineData("-1s")]
    public void MalformedDurationsAreRejected(string text) => Assert.False(TimeUnits.TryParse(text, out _));
}
