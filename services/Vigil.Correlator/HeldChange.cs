namespace Vigil.Correlator;

/// <summary>A state that started (Held) or stopped holding back events, recorded under its telemetry partition.</summary>
public readonly record struct HeldChange(int Partition, StateKey Key, bool Held);
