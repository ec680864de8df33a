using Vigil.Eql;
using Vigil.Rules.ExceptionLists;

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
    /// <summary>The Kibana exception lists the rule names in exceptions_list, resolved against the pack's exports at load.</summary>
    public IReadOnlyList<ExceptionListReference> ExceptionLists { get; init; } = [];

    /// <summary>[rule.alert_suppression], or null when the rule does not ask for suppression.</summary>
    public AlertSuppression? AlertSuppression { get; init; }

    /// <summary>The file the rule came from.</summary>
    public string SourceName => Query.Name;
}
