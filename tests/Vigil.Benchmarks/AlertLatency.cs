namespace Vigil.Benchmarks;

/// <summary>One alert read during a topology step: who raised it, for which rule, and how long after its last event was sent.</summary>
internal sealed record AlertLatency(string Producer, string RuleId, LatencyClass Class, double Milliseconds);
