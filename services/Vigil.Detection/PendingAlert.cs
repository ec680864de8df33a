using Vigil.Contracts.Alerts;

namespace Vigil.Detection;

/// <summary>An alert about to be published, with what suppresses its repeats (rule + join key values, when the rule has a window).</summary>
public sealed record PendingAlert(CompiledRule Rule, Alert Alert, string? SuppressionKey)
{
    /// <summary>What one suppression window covers: a host, a rule and the match's join key values; null when the rule has no window.</summary>
    public (string HostId, string RuleId, string Key)? SuppressionScope =>
        SuppressionKey is null ? null : (Alert.Host.Id, Rule.RuleId, SuppressionKey);
}
