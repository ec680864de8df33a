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

    /// <summary>
    /// new_terms_learning: how long a new_terms rule records combinations before it alerts (event time from its first
    /// event); null means the rule's history window.
    /// </summary>
    public TimeSpan? NewTermsLearning { get; init; }

    /// <summary>
    /// <c>sequence_span</c>: the span a sequence without maxspan (or a sample) may cover; when absent, the rule's
    /// look-back (<see cref="RuleSchedule.LookBack"/>).
    /// </summary>
    public TimeSpan? SequenceSpan { get; init; }

    /// <summary><c>max_pending_keys</c>: join keys with pending partial sequences per host; when absent, the pack's default.</summary>
    public int? MaxPendingKeys { get; init; }

    /// <summary><c>max_state_bytes</c>: serialized bytes of the rule's state per host; when absent, the pack's default.</summary>
    public int? MaxStateBytes { get; init; }
}
