using Vigil.Detection;
using Vigil.Eql.Sequences;

namespace Vigil.Correlator;

/// <summary>
/// A held state taken out for release: which state, from which partition, when it last received events, its arrivals
/// as they were (to put back if the release fails), those not yet the lateness old, the position its buffer may be
/// released through (null: none of its arrivals is due), and whether it has been quiet for the lateness (or its
/// partition leaves), so that everything it holds may be released.
/// </summary>
internal sealed record HeldState(
    StateKey Key,
    Vigil.Messaging.TopicPartitionRef Partition,
    DateTimeOffset LastEvent,
    IReadOnlyList<HeldArrival> Arrivals,
    IReadOnlyList<HeldArrival> Remaining,
    EventPosition? Through,
    bool Quiet);
