using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>Follows one injected scenario from its first generated event to its last emitted one, for the ground truth.</summary>
internal sealed class ScenarioTrace(string scenarioId, ScenarioDefinition definition, ScenarioOrigin origin, HostProfile host)
{
    private readonly List<(string Id, long Time, User? User)> generated = [];
    private readonly List<string> evidence = [];
    private readonly HashSet<string> emitted = [];
    private User? evidenceUser;
    private string? description;

    public string ScenarioId => scenarioId;

    public ScenarioDefinition Definition => definition;

    /// <summary>Set once the scenario's script has produced its last event.</summary>
    public bool Finished { get; set; }

    public bool IsComplete => Finished && emitted.Count == generated.Count;

    public void Record(TelemetryEvent e) => generated.Add((e.Event.Id, e.Timestamp, e.User));

    public void MarkEvidence(TelemetryEvent e)
    {
        evidence.Add(e.Event.Id);
        evidenceUser ??= e.User;
    }

    public void MarkEmitted(TelemetryEvent e) => emitted.Add(e.Event.Id);

    /// <summary>Replaces the catalog description with the specifics of this instance (paths, destinations).</summary>
    public void Describe(string description) => this.description = description;

    public GroundTruthRecord ToRecord()
    {
        var complete = IsComplete;
        var events = generated.Where(g => complete || emitted.Contains(g.Id)).ToList();
        var user = evidenceUser ?? events.FirstOrDefault().User ?? host.User.ToProto();
        return new GroundTruthRecord(
            ScenarioId: scenarioId,
            Scenario: definition.Name,
            AnalyticId: definition.AnalyticId,
            Label: definition.Label,
            Origin: origin,
            HostId: host.Id,
            HostName: host.Name,
            UserName: user.Name,
            UserId: user.Id,
            FirstEventTime: events.Count > 0 ? events.Min(g => g.Time) : 0,
            LastEventTime: events.Count > 0 ? events.Max(g => g.Time) : 0,
            EventIds: events.Select(g => g.Id).ToArray(),
            EvidenceEventIds: evidence.Where(id => complete || emitted.Contains(id)).ToArray(),
            Description: this.description ?? definition.Description,
            Complete: complete);
    }
}
