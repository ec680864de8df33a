namespace Vigil.Rules;

/// <summary>The [metadata] table of an Elastic rule file (dates as written, "yyyy/MM/dd").</summary>
public sealed record RuleMetadata(string? CreationDate, string? UpdatedDate, string? Maturity, IReadOnlyList<string> Integrations);
