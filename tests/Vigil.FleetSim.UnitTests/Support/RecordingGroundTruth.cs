namespace Vigil.FleetSim.UnitTests.Support;

/// <summary>Keeps every ground-truth record, and how many events had been delivered when each arrived.</summary>
internal sealed class RecordingGroundTruth(RecordingSink sink) : IGroundTruthSink
{
    public List<(GroundTruthRecord Record, int EventsDeliveredBefore)> Entries { get; } = [];

    public IEnumerable<GroundTruthRecord> Records => Entries.Select(e => e.Record);

    public ValueTask WriteAsync(GroundTruthRecord record, CancellationToken cancellationToken)
    {
        Entries.Add((record, sink.Events.Count));
        return ValueTask.CompletedTask;
    }
}
