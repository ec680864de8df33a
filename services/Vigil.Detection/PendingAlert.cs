using Vigil.Contracts.Alerts;

namespace Vigil.Detection;

/// <summary>An alert about to be published, with the alert suppression group it falls in (null when not suppressible).</summary>
public sealed record PendingAlert(CompiledRule Rule, Alert Alert, string? SuppressionGroup)
{
    /// <summary>What one suppression window covers: a rule and the values of its group_by fields; null when not suppressible.</summary>
    public (string RuleId, string Group)? SuppressionScope =>
        SuppressionGroup is null ? null : (Rule.RuleId, SuppressionGroup);

    /// <summary>
    /// True when the group's fields include host.id, so its window can live with the host's other state; otherwise the
    /// group spans hosts and its key is spread over the cluster by the group's own hash.
    /// </summary>
    public bool IsSuppressedPerHost => Rule.Suppression?.GroupBy.Contains("host.id", StringComparer.Ordinal) == true;
}
