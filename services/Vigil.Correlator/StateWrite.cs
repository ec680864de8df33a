using Vigil.Eql.Sequences;

namespace Vigil.Correlator;

/// <summary>
/// One state to store: the fields it changed (null: the state is empty, delete it) and how long it may live unchanged.
/// </summary>
public readonly record struct StateWrite(StateKey Key, StateFieldChanges? Changes, TimeSpan Expiry);
