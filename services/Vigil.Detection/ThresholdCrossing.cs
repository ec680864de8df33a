using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Detection;

/// <summary>A threshold group that reached its count (and distinct count): what its alert reports.</summary>
public sealed record ThresholdCrossing(
    JoinKey Terms,
    long Count,
    long? DistinctCount,
    long From,
    long To,
    IReadOnlyList<TelemetryEvent> Evidence);
