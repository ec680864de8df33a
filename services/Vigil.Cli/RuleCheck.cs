namespace Vigil.Cli;

/// <summary>One rule file's verdict in `vigil rules check`: whether it loads, its errors, and what the sources can feed it.</summary>
public sealed record RuleCheck(
    string File,
    string? RuleId,
    string? Name,
    string? Analytic,
    string? Type,
    bool Loads,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> FiresWith,
    IReadOnlyDictionary<string, IReadOnlyList<string>> MissingPerSource,
    IReadOnlyList<string> FieldsNoSourcePopulates);
