namespace Vigil.Eql.Sequences;

/// <summary>
/// What one engine call produced: completed matches (in completion order), how many events arrived too late to be
/// matched (at or before the last released position), whether the host state changed and must be stored again, and
/// what the call threw away (<see cref="Rejections"/>; <c>StateLimit</c> above zero means the host hit its limits).
/// </summary>
public sealed record MatchResult<TEvent>(IReadOnlyList<SequenceMatch<TEvent>> Matches, int LateEvents, bool StateChanged, RejectionCounts Rejections = default)
{
    public static MatchResult<TEvent> Unchanged { get; } = new([], 0, false);
}
