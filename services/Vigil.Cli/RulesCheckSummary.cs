namespace Vigil.Cli;

/// <summary>The summary line of `vigil rules check`.</summary>
public sealed record RulesCheckSummary(
    int Files,
    int Rules,
    int Loaded,
    int Errors,
    int BrokenFiles,
    int Warnings,
    IReadOnlyDictionary<string, int> PerAnalytic,
    IReadOnlyList<string> Sources);
