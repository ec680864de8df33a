namespace Vigil.Eql.Sequences;

/// <summary>
/// A completed match: its evidence events in step order, their event ids (with the rule, a deterministic alert
/// identity), the join key values and the first and last @timestamp (epoch ns).
/// </summary>
public sealed record SequenceMatch<TEvent>(
    string HostId,
    JoinKey Key,
    IReadOnlyList<TEvent> Events,
    IReadOnlyList<string> EventIds,
    long FirstTimestamp,
    long LastTimestamp);
