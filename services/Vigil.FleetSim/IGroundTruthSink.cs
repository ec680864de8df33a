namespace Vigil.FleetSim;

/// <summary>Where ground-truth records go; each is written after the batch holding the scenario's last event.</summary>
public interface IGroundTruthSink
{
    ValueTask WriteAsync(GroundTruthRecord record, CancellationToken cancellationToken);
}
