namespace Vigil.Cli;

/// <summary>The whole `vigil rules check` result, as `--format json` prints it for CI.</summary>
public sealed record RulesCheckReport(IReadOnlyList<RuleCheck> Rules, IReadOnlyList<string> OtherErrors, RulesCheckSummary Summary);
