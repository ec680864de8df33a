using Vigil.Eql.Sequences;

namespace Vigil.Correlator;

/// <summary>
/// A batch's arrival at a held state: when (wall clock) and the newest position the state had buffered then. Once it is
/// the lateness old, the state's buffer may be released through that position.
/// </summary>
internal readonly record struct HeldArrival(DateTimeOffset At, EventPosition Through);
