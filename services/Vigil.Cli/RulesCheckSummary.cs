namespace Vigil.Cli;

/// <summary>The summary line of `vigil rules check`.</summary>
/// <param name="Rules">Rules found: those that compiled plus one per rule file that did not.</param>
/// <param name="Compiled">Rules that compile on their own. The pack still refuses to start while any other file of the
/// check fails (the correlator loads all rules or none), so this is not a count of rules that would run.</param>
/// <param name="Failed">Rule files that did not compile.</param>
/// <param name="PackLoads">Whether the correlator would load this pack: only when no file or list of it has an error.</param>
public sealed record RulesCheckSummary(
    int Files,
    int Rules,
    int Compiled,
    int Failed,
    int Errors,
    int BrokenFiles,
    int Warnings,
    IReadOnlyDictionary<string, int> PerAnalytic,
    IReadOnlyList<string> Sources,
    bool PackLoads);
