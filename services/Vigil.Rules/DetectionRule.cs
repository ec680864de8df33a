using Vigil.Eql;
using Vigil.Eql.Kql;
using Vigil.Rules.ExceptionLists;

namespace Vigil.Rules;

/// <summary>
/// An Elastic detection rule as read from its TOML file. <see cref="Query"/> carries the query text (EQL, KQL or
/// Lucene, per <see cref="Language"/>) with its position in the file, so compiling it reports errors at file:line:column.
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

    /// <summary>The rule type, parsed from <see cref="Type"/>.</summary>
    public RuleKind Kind { get; init; } = RuleKind.Eql;

    /// <summary>The query-string dialect of a non-EQL rule (KQL or Lucene); null for EQL.</summary>
    public QueryDialect? Dialect { get; init; }

    /// <summary><c>interval</c>, <c>from</c> and <c>max_signals</c>, parsed once with Elastic's defaults.</summary>
    public RuleSchedule Schedule { get; init; } = RuleSchedule.Default;

    /// <summary>Set for <see cref="RuleKind.Threshold"/> rules.</summary>
    public ThresholdSpec? Threshold { get; init; }

    /// <summary>Set for <see cref="RuleKind.NewTerms"/> rules.</summary>
    public NewTermsSpec? NewTerms { get; init; }

    /// <summary><c>building_block_type</c> ("default"): the rule's alerts feed other rules and are hidden from the default alert view.</summary>
    public string? BuildingBlockType { get; init; }

    public bool IsBuildingBlock => BuildingBlockType is not null;

    /// <summary><c>timestamp_override</c>: the event time field windows use, falling back to @timestamp when an event lacks it.</summary>
    public string? TimestampOverride { get; init; }

    /// <summary><c>version</c> (Elastic keeps it in its version lock; 1 when the file does not say).</summary>
    public int Version { get; init; } = 1;

    public int? Revision { get; init; }

    public IReadOnlyList<RequiredField> RequiredFields { get; init; } = [];

    public IReadOnlyList<RelatedIntegration> RelatedIntegrations { get; init; } = [];

    /// <summary><c>setup</c>: the rule author's setup instructions, shown as written.</summary>
    public string? Setup { get; init; }
}
