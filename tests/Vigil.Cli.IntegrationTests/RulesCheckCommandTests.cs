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
                $"an0994/same_rule_id.toml:1:1: rule_id 5e0b5c0e-0000-4000-8000-0000000000a1 is already used by {folder}/an0167/curl_download.toml",
                "FAILED: 11 error(s) in 4 of 5 file(s)",
            ],
            run.Stdout.Select(line => line.StartsWith(folder + "/", StringComparison.Ordinal) ? line[(folder.Length + 1)..] : line));
    }

    [Fact]
    public async Task TheRepositoryRulePacksPass()
    {
        var run = await VigilCommand.VigilAsync("rules", "check", Path.Combine(TestPaths.RepoRoot, "rules"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["OK: 5 rule(s) in 5 file(s) (AN0167 1, AN0425 1, AN0994 2, INSTALLER-NETWORK 1)"], run.Stdout);
    }

    [Fact]
    public async Task AMissingFolderIsAUsageError()
    {
        var run = await VigilCommand.VigilAsync("rules", "check", Fixture("no_such_folder"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no such file or folder", run.Stderr);
    }
}
