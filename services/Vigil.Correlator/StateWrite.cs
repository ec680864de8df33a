namespace Vigil.Correlator;

/// <summary>One state to store: its bytes (null: the state is empty, delete it) and how long it may live unchanged.</summary>
public readonly record struct StateWrite(StateKey Key, byte[]? Bytes, TimeSpan Expiry);
