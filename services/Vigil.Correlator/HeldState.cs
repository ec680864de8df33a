using Vigil.Detection;
using Vigil.Eql.Sequences;

namespace Vigil.Correlator;

/// <summary>
/// A held state taken out for release: which state, from which partition, when it last received events, the arrivals
/// it was taken with (to put back if the release fails: those due, or all when it was quiet or its partition left; the
/// rest stayed in <see cref="HeldHosts"/>), the position its buffer may be released through (null: none of its
/// arrivals is due), whether it has been quiet for the lateness (or its partition leaves), so that everything it holds
/// may be released, and when it was taken because it was due (null: taken with its partition, so no arrival stays).
/// Arrivals not yet the lateness old at <see cref="TakenAt"/> stay held if the state still holds events after release.
/// </summary>
internal readonly record struct HeldState(
    StateKey Key,
    Vigil.Messaging.TopicPartitionRef Partition,
    DateTimeOffset LastEvent,
    HeldArrivals Arrivals,
    EventPosition? Through,
    bool Quiet,
    DateTimeOffset? TakenAt);
