using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>A held state taken out for release: which state, from which partition, last event seen when.</summary>
internal sealed record HeldState(StateKey Key, Vigil.Messaging.TopicPartitionRef Partition, DateTimeOffset LastEvent);
