namespace Vigil.Rules;

/// <summary>
/// A rule's [rule.alert_suppression], as Elastic defines it: alerts of the rule whose <see cref="GroupBy"/> fields have
/// the same values are suppressed for <see cref="Duration"/> after the first one. Without a duration Elastic
/// suppresses per rule execution; a stream has no executions, so Vigil uses the rule's interval (default 5m) then.
/// </summary>
/// <param name="GroupBy">The fields whose values make a group (empty for threshold rules, which group by their threshold fields).</param>
/// <param name="Duration">The window after the first alert of a group; null when the rule suppresses per execution.</param>
/// <param name="Window">The window Vigil runs: the duration, else the rule's interval.</param>
public sealed record AlertSuppression(
    IReadOnlyList<string> GroupBy,
    TimeSpan? Duration,
    TimeSpan Window,
    MissingFieldsStrategy MissingFields);
