using Vigil.Eql.Sequences;

namespace Vigil.Correlator;

/// <summary>
/// One state to store: the fields it changed (null: the state is empty, delete it) and how long it may live unchanged;
/// for a deleted state, the arrays of events it released (<see cref="Released"/>), given back once the deletion is stored
/// (an earlier write of the state may still be sending them).
/// </summary>
public readonly record struct StateWrite(StateKey Key, StateFieldChanges? Changes, TimeSpan Expiry, StateFieldChanges? Released = null);
