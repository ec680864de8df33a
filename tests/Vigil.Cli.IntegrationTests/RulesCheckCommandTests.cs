using Vigil.Testing;

namespace Vigil.Cli.IntegrationTests;

public sealed class RulesCheckCommandTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "files", name);

    [Fact]
    public async Task EveryProblemOfABrokenFolderIsPrintedAtItsFileLineAndColumn()
    {
        var folder = Fixture("rules_with_errors");

        var run = await VigilCommand.VigilAsync("rules", "check", folder);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            [
                "an0167/misspelled_field.toml:11:45: unknown field 'process.nmae': 'process' has no field 'nmae' (did you mean 'name'?)",
                "an0167/misspelled_field.toml:12:40: cannot compare 'file.size' (a number) with \"big\" (a string)",
                "an0994/bad_settings.toml:5:14: risk_score must be between 0 and 100, not 120",
                "an0994/bad_settings.toml:7:12: severity \"urgent\" is not one of low, medium, high, critical",
                "an0994/bad_settings.toml:12:12: lateness \"soon\" is not a duration: expected a whole number and a unit (ms, s, m, h or d), as in \"30s\"",
                "an0994/bad_settings.toml:13:22: [vigil] suppression_window is no longer read: suppress with Elastic's [rule.alert_suppression] (group_by = [...], duration = { value = 15, unit = \"m\" }), or leave it out to alert on every match",
                "an0994/bad_settings.toml:15:1: an exception needs at least one of process_executable, parent_executable, signing_id, team_id, user, path_prefix, destination_domain, destination_ip",
                "an0994/bad_settings.toml:17:1: unknown key 'process_exe' in [[vigil.exception]]: expected description, process_executable, parent_executable, signing_id, team_id, user, path_prefix, destination_domain, destination_ip",
                "an0994/bad_settings.toml:21:18: \"10.0.0.256\" is not an IP address or CIDR block",
                "an0994/missing_value.toml:3:13: invalid TOML: Unexpected token end-of-line found while expecting a value",
                "an0994/same_rule_id.toml:1:1: rule_id 5e0b5c0e-0000-4000-8000-0000000000a1 is already used by an0167/curl_download.toml",
                "ok   an0167/curl_download.toml: Curl connects (eql; fires with elastic, simulator)",
                "FAILED: 11 error(s) in 4 of 5 file(s); 1 of 5 rule(s) compiled; the pack will not load until every failure is fixed",
            ],
            run.Stdout.Select(line => line.Replace(folder + "/", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheRepositoryRulePacksPass()
    {
        var run = await VigilCommand.VigilAsync("rules", "check", Path.Combine(TestPaths.RepoRoot, "rules"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(5, run.Stdout.Count(line => line.StartsWith("ok   ", StringComparison.Ordinal)));
        Assert.Equal("OK: 5 rule(s) in 5 file(s) (AN0167 1, AN0425 1, AN0994 2, INSTALLER-NETWORK 1), 0 warning(s) for sources elastic, eslogger, simulator", run.Stdout[^1]);
    }

    [Fact]
    public async Task KqlLuceneThresholdAndNewTermsRulesAreCheckedLikeEqlRules()
    {
        // The rule-type timelines the backtest tests run: every non-EQL type and language Vigil streams.
        var folder = Path.Combine(TestPaths.RepoRoot, "tests", "Vigil.Detection.UnitTests", "files", "rule_types");

        var run = await VigilCommand.VigilAsync("rules", "check", folder);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("Unhandled", run.Stderr, StringComparison.Ordinal);
        var checkedRules = run.Stdout.Where(line => line.StartsWith("ok   ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Directory.GetFiles(folder, "*.toml", SearchOption.AllDirectories).Length, checkedRules.Count);
        Assert.Contains(checkedRules, line => line.Contains("(query;", StringComparison.Ordinal));
        Assert.Contains(checkedRules, line => line.Contains("(threshold;", StringComparison.Ordinal));
        Assert.Contains(checkedRules, line => line.Contains("(new_terms;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARuleThatCompilesButNoConfiguredSourceCanFeedIsAWarningNamingWhatIsMissing()
    {
        var folder = Fixture("rules_that_never_fire");

        var run = await VigilCommand.VigilAsync("rules", "check", folder, "--sources", "simulator");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            [
                "WARN accepted_connection.toml: Inbound Connection Accepted (eql; fires with no source)",
                "     warning: can never fire with the configured sources (simulator): needs network events with event.action \"connection_accepted\", which simulator never produces",
                "ok   curl_exec.toml: Curl Runs (eql; fires with simulator)",
                "WARN dyld_injection.toml: DYLD Injection via Environment (eql; fires with no source)",
                "     warning: can never fire with the configured sources (simulator): needs field 'process.env_vars', which simulator never populates",
                "     fields no configured source populates: process.env_vars",
                "OK: 3 rule(s) in 3 file(s) (RULES_THAT_NEVER_FIRE 3), 2 warning(s) for sources simulator",
            ],
            run.Stdout.Select(line => line.Replace(folder + "/", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheSameRuleFiresWhenASourceThatProducesItsEventsIsConfigured()
    {
        var run = await VigilCommand.VigilAsync("rules", "check", Fixture("rules_that_never_fire"), "--sources", "elastic,simulator");

        Assert.Equal("OK: 3 rule(s) in 3 file(s) (RULES_THAT_NEVER_FIRE 3), 0 warning(s) for sources elastic, simulator", run.Stdout[^1]);
        Assert.Contains(run.Stdout, line => line.EndsWith("Inbound Connection Accepted (eql; fires with elastic)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JsonOutputGivesCiEveryRuleItsErrorsWarningsAndASummary()
    {
        var run = await VigilCommand.VigilAsync("rules", "check", Fixture("rules_with_errors"), "--format", "json");

        Assert.Equal(1, run.ExitCode);
        using var report = System.Text.Json.JsonDocument.Parse(string.Join('\n', run.Stdout));
        var rules = report.RootElement.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(5, rules.Count);
        var loaded = Assert.Single(rules, r => r.GetProperty("loads").GetBoolean());
        Assert.Equal("Curl connects", loaded.GetProperty("name").GetString());
        Assert.Equal(["elastic", "simulator"], loaded.GetProperty("fires_with").EnumerateArray().Select(s => s.GetString()));
        var settings = Assert.Single(rules, r => r.GetProperty("file").GetString()!.EndsWith("bad_settings.toml", StringComparison.Ordinal));
        Assert.Equal(7, settings.GetProperty("errors").GetArrayLength());
        var summary = report.RootElement.GetProperty("summary");
        Assert.Equal((5, 11, 4), (summary.GetProperty("files").GetInt32(), summary.GetProperty("errors").GetInt32(), summary.GetProperty("broken_files").GetInt32()));
    }

    [Fact]
    public async Task JsonOutputOfABrokenFolderCountsTheRulesThatStillCompileSaysThePackWillNotLoadAndListsEachFailureAtItsFileLineAndColumn()
    {
        var folder = Fixture("rules_with_errors");

        var run = await VigilCommand.VigilAsync("rules", "check", folder, "--format", "json");

        Assert.Equal(1, run.ExitCode);
        using var report = System.Text.Json.JsonDocument.Parse(string.Join('\n', run.Stdout));
        var summary = report.RootElement.GetProperty("summary");
        Assert.Equal((5, 1, 4), (summary.GetProperty("rules").GetInt32(), summary.GetProperty("compiled").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.False(summary.GetProperty("pack_loads").GetBoolean());
        var failures = report.RootElement.GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal(11, failures.Count);
        var first = failures.Single(f => f.GetProperty("file").GetString()!.EndsWith("misspelled_field.toml", StringComparison.Ordinal) && f.GetProperty("line").GetInt32() == 11);
        Assert.Equal(
            (Path.Combine(folder, "an0167", "misspelled_field.toml") + ":11:45", 45, "unknown field 'process.nmae': 'process' has no field 'nmae' (did you mean 'name'?)"),
            (first.GetProperty("location").GetString(), first.GetProperty("column").GetInt32(), first.GetProperty("message").GetString()));
        Assert.All(failures, f => Assert.Equal(
            $"{f.GetProperty("file").GetString()}:{f.GetProperty("line").GetInt32()}:{f.GetProperty("column").GetInt32()}",
            f.GetProperty("location").GetString()));
    }

    [Fact]
    public async Task ThePlainTextSummaryOfABrokenFolderSaysHowManyRulesCompileAndThatThePackWillNotLoad()
    {
        var run = await VigilCommand.VigilAsync("rules", "check", Fixture("rules_with_errors"));

        Assert.Equal(1, run.ExitCode);
        Assert.EndsWith("; 1 of 5 rule(s) compiled; the pack will not load until every failure is fixed", run.Stdout[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingFolderIsAUsageError()
    {
        var run = await VigilCommand.VigilAsync("rules", "check", Fixture("no_such_folder"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no such file or folder", run.Stderr);
    }
}
