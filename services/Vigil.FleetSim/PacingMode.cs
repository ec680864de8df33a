namespace Vigil.FleetSim;

/// <summary>How events are released: as fast as possible with timestamps from a configured start, or paced to the wall clock.</summary>
public enum PacingMode
{
    /// <summary>As fast as the sink takes them; timestamps start at <see cref="FleetSimulationOptions.StartTime"/>.</summary>
    Offline,

    /// <summary>At the configured rate against the wall clock; timestamps start when the run starts.</summary>
    Live,
}
