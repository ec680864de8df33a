namespace Vigil.Rules;

/// <summary>
/// The optional [vigil] section: which analytic runs the rule, how late events may arrive, and operator exceptions.
/// Durations are parsed once at load ("2s", "15m"). Alert suppression is Elastic's [rule.alert_suppression].
/// </summary>
public sealed record VigilRuleSettings(
    string? Analytic,
    TimeSpan? Lateness,
    IReadOnlyList<RuleException> Exceptions)
{
    public static VigilRuleSettings None { get; } = new(null, null, []);
}
