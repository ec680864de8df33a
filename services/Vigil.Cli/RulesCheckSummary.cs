namespace Vigil.Cli;

/// <summary>The summary line of `vigil rules check`.</summary>
/// <param name="Rules">Rules found: those that loaded plus one per rule file that did not.</param>
/// <param name="Loaded">Rules that load, whether or not other files of the same check failed.</param>
/// <param name="Failed">Rule files that did not load.</param>
public sealed record RulesCheckSummary(
    int Files,
    int Rules,
    int Loaded,
    int Failed,
    int Errors,
    int BrokenFiles,
    int Warnings,
    IReadOnlyDictionary<string, int> PerAnalytic,
    IReadOnlyList<string> Sources);
