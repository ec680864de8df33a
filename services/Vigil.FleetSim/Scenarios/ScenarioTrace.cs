using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Scenarios;

/// <summary>Follows one injected scenario from its first generated event to its last emitted one, for the ground truth.</summary>
internal sealed class ScenarioTrace(string scenarioId, ScenarioDefinition definition, ScenarioOrigin origin, HostProfile host)
{
    private readonly List<(string Id, long Time, User? User)> _generated = [];
    private readonly List<string> _evidence = [];
    private readonly HashSet<string> _emitted = [];
    private User? _evidenceUser;
    private string? _description;

    public string ScenarioId => scenarioId;

    public ScenarioDefinition Definition => definition;

    /// <summary>Set once the scenario's script has produced its last event.</summary>
    public bool Finished { get; set; }

    public bool IsComplete => Finished && _emitted.Count == _generated.Count;

    public void Record(TelemetryEvent e) => _generated.Add((e.Event.Id, e.Timestamp, e.User));

    public void MarkEvidence(TelemetryEvent e)
    {
        _evidence.Add(e.Event.Id);
        _evidenceUser ??= e.User;
    }

    public void MarkEmitted(TelemetryEvent e) => _emitted.Add(e.Event.Id);

    /// <summary>Replaces the catalog description with the specifics of this instance (paths, destinations).</summary>
    public void Describe(string description) => _description = description;

    public GroundTruthRecord ToRecord()
    {
        var complete = IsComplete;
        var events = _generated.Where(g => complete || _emitted.Contains(g.Id)).ToList();
        var user = _evidenceUser ?? events.FirstOrDefault().User ?? host.User.ToProto();
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
            EvidenceEventIds: _evidence.Where(id => complete || _emitted.Contains(id)).ToArray(),
            Description: _description ?? definition.Description,
            Complete: complete);
    }
}
