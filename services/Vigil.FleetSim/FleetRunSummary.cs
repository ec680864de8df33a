namespace Vigil.FleetSim;

/// <summary>What a run produced.</summary>
/// <param name="FirstEventTime">Timestamp of the earliest emitted event (ns since the epoch); 0 when none was.</param>
/// <param name="ScenariosIncomplete">Scenarios cut short by the end of the run (recorded with complete=false).</param>
public sealed record FleetRunSummary(long Events, int ScenariosCompleted, int ScenariosIncomplete, long FirstEventTime, long LastEventTime);
