namespace Vigil.Cli;

/// <summary>The whole `vigil rules check` result, as `--format json` prints it for CI.</summary>
/// <param name="Failures">Every load problem of the check, rule files and referenced lists alike, in file order.</param>
public sealed record RulesCheckReport(IReadOnlyList<RuleCheck> Rules, IReadOnlyList<string> OtherErrors, IReadOnlyList<RuleLoadFailure> Failures, RulesCheckSummary Summary);
