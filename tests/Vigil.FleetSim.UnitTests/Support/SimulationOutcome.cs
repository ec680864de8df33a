using Vigil.Contracts;
using Vigil.Contracts.Telemetry;

namespace Vigil.FleetSim.UnitTests.Support;

/// <summary>Everything one run produced, with look-ups tests need.</summary>
internal sealed class SimulationOutcome(RecordingSink sink, RecordingGroundTruth groundTruth, FleetRunSummary summary)
{
    private Dictionary<string, TelemetryEvent>? byId;

    public IReadOnlyList<TelemetryEvent> Events => sink.Events;

    public RecordingSink Sink => sink;

    public IReadOnlyList<GroundTruthRecord> Records => groundTruth.Records.ToList();

    public RecordingGroundTruth GroundTruth => groundTruth;

    public FleetRunSummary Summary => summary;

    public TelemetryEvent Event(string id) => (byId ??= Events.ToDictionary(e => e.Event.Id))[id];

    public IReadOnlyList<TelemetryEvent> EventsOf(GroundTruthRecord record) => record.EventIds.Select(Event).ToList();

    public IReadOnlyList<TelemetryEvent> EvidenceOf(GroundTruthRecord record) => record.EvidenceEventIds.Select(Event).ToList();

    /// <summary>The stream as NDJSON lines, for whole-output comparisons.</summary>
    public IReadOnlyList<string> Lines() => Events.Select(e => EcsJson.Format(e)).ToList();

    public IReadOnlyList<string> GroundTruthLines() => groundTruth.Records.Select(r => r.ToJson()).ToList();
}
