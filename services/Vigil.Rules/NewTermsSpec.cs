namespace Vigil.Rules;

/// <summary>
/// <c>[rule.new_terms]</c>: alert when the combination of <see cref="Fields"/> values of a matching event was not seen
/// within <see cref="HistoryWindow"/> (from <c>[[rule.new_terms.history_window_start]]</c>, e.g. "now-7d").
/// </summary>
public sealed record NewTermsSpec(IReadOnlyList<string> Fields, TimeSpan HistoryWindow);
