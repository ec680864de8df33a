using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>
/// Streaming new terms: remembers, per combination of the new_terms fields' values, when it was last seen; a matching
/// event whose combination was not seen within the history window (e.g. 7 days) alerts, once, and refreshes it.
/// A stream has no index to look back into, so the rule first learns: until <see cref="LearningNanos"/> of event time
/// after the first event the rule saw, combinations are recorded without alerting (by default the history window
/// itself, so "new" means what it means in Elastic: absent from a full history window).
/// </summary>
public sealed class NewTermsAggregation
{
    public NewTermsAggregation(NewTermsSpec spec, TimeSpan? learning, EventClock clock)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        Terms = new TermCombinations(spec.Fields);
        HistoryNanos = spec.HistoryWindow.Ticks * 100;
        LearningNanos = (learning ?? spec.HistoryWindow).Ticks * 100;
        Clock = clock;
    }

    public NewTermsSpec Spec { get; }

    public TermCombinations Terms { get; }

    public long HistoryNanos { get; }

    public long LearningNanos { get; }

    public EventClock Clock { get; }

    /// <summary>How long a combination's last-seen time matters: after the history window it is new again.</summary>
    public TimeSpan StateRetention => TimeSpan.FromTicks(HistoryNanos / 100);

    /// <summary>True while the rule is still learning at event time <paramref name="time"/>.</summary>
    public bool IsLearning(long learningSince, long time) => time < learningSince + LearningNanos;

    /// <summary>True when a combination last seen at <paramref name="lastSeen"/> (null: never) is new at <paramref name="time"/>.</summary>
    public bool IsNew(long? lastSeen, long time) => lastSeen is not { } seen || time - seen > HistoryNanos;
}
