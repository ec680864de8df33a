using Vigil.Contracts.Telemetry;
using Vigil.Detection;

namespace Vigil.Correlator;

/// <summary>One event for a threshold or new_terms rule, in batch order (after the rule's query and exceptions passed it).</summary>
public readonly record struct AggregationWork(CompiledRule Rule, TelemetryEvent Event);
