namespace Vigil.Rules;

/// <summary>
/// The optional [vigil] section: which analytic runs the rule, how late events may arrive, how long a repeated alert
/// is suppressed, and operator exceptions. Durations are parsed once at load ("2s", "15m").
/// </summary>
public sealed record VigilRuleSettings(
    string? Analytic,
    TimeSpan? Lateness,
    TimeSpan? SuppressionWindow,
    IReadOnlyList<RuleException> Exceptions)
{
    public static VigilRuleSettings None { get; } = new(null, null, null, []);

    /// <summary>
    /// new_terms_learning: how long a new_terms rule records combinations before it alerts (event time from its first
    /// event); null means the rule's history window.
    /// </summary>
    public TimeSpan? NewTermsLearning { get; init; }
}
