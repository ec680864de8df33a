using Vigil.Eql;

namespace Vigil.Rules;

/// <summary>
/// An Elastic detection rule as read from its TOML file. <see cref="Query"/> carries the EQL text with its position in
/// the file, so compiling it reports errors at file:line:column.
/// </summary>
public sealed record DetectionRule(
    string RuleId,
    string Name,
    string Description,
    int RiskScore,
    RuleSeverity Severity,
    string Type,
    string Language,
    EqlSource Query,
    IReadOnlyList<ThreatMapping> Threats,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> References,
    RuleMetadata Metadata,
    VigilRuleSettings Vigil)
{
    /// <summary>When Elastic would run the rule and how far back each run searches (interval and from).</summary>
    public RuleSchedule Schedule { get; init; } = RuleSchedule.Default;

    /// <summary>The file the rule came from.</summary>
    public string SourceName => Query.Name;
}
