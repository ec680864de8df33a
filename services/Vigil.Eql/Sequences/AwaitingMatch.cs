namespace Vigil.Eql.Sequences;

/// <summary>
/// A sequence whose positive steps all matched but which ends with a missing-event step: it is reported once matching
/// has passed <see cref="Deadline"/> (first event plus maxspan, inclusive) without the absent event occurring.
/// </summary>
internal sealed class AwaitingMatch<TEvent>(JoinKey key, PartialSequence<TEvent> sequence, long deadline)
{
    public JoinKey Key { get; } = key;

    public PartialSequence<TEvent> Sequence { get; } = sequence;

    public long Deadline { get; } = deadline;
}
