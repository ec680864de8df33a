using System.Text.Json;
using Vigil.Contracts;

namespace Vigil.FleetSim;

/// <summary>
/// One injected scenario as it was emitted: which analytic it exercises, whether it is an attack, where and when
/// it happened, every event id it produced and, for attacks, the events a detection should cite.
/// </summary>
/// <param name="EventIds">Ids of the scenario's events in timestamp order (only those emitted when <paramref name="Complete"/> is false).</param>
/// <param name="EvidenceEventIds">For malicious scenarios, the ids a detection should cite, in sequence-step order; empty for benign ones.</param>
/// <param name="FirstEventTime">Timestamp of the first listed event, nanoseconds since the Unix epoch.</param>
/// <param name="Complete">False when the run stopped before all of the scenario's events were emitted.</param>
public sealed record GroundTruthRecord(
    string ScenarioId,
    string Scenario,
    string AnalyticId,
    ScenarioLabel Label,
    ScenarioOrigin Origin,
    string HostId,
    string HostName,
    string UserName,
    string UserId,
    long FirstEventTime,
    long LastEventTime,
    IReadOnlyList<string> EventIds,
    IReadOnlyList<string> EvidenceEventIds,
    string Description,
    bool Complete)
{
    /// <summary>
    /// One NDJSON line: <c>{"scenario_id","scenario","analytic_id","label":"malicious|benign","origin":"scheduled|on_demand",
    /// "host_id","host_name","user_name","user_id","first_event_time","last_event_time" (ISO-8601 UTC, as @timestamp),
    /// "event_ids":[...],"evidence_event_ids":[...],"description","complete"}</c>.
    /// </summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, EcsJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("scenario_id", ScenarioId);
            writer.WriteString("scenario", Scenario);
            writer.WriteString("analytic_id", AnalyticId);
            writer.WriteString("label", Label == ScenarioLabel.Malicious ? "malicious" : "benign");
            writer.WriteString("origin", Origin == ScenarioOrigin.Scheduled ? "scheduled" : "on_demand");
            writer.WriteString("host_id", HostId);
            writer.WriteString("host_name", HostName);
            writer.WriteString("user_name", UserName);
            writer.WriteString("user_id", UserId);
            writer.WriteString("first_event_time", EcsTimestamp.Format(FirstEventTime));
            writer.WriteString("last_event_time", EcsTimestamp.Format(LastEventTime));
            WriteArray(writer, "event_ids", EventIds);
            WriteArray(writer, "evidence_event_ids", EvidenceEventIds);
            writer.WriteString("description", Description);
            writer.WriteBoolean("complete", Complete);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads a line written by <see cref="ToJson"/>.</summary>
    public static GroundTruthRecord FromJson(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        return new GroundTruthRecord(
            ScenarioId: Text(root, "scenario_id"),
            Scenario: Text(root, "scenario"),
            AnalyticId: Text(root, "analytic_id"),
            Label: Text(root, "label") switch
            {
                "malicious" => ScenarioLabel.Malicious,
                "benign" => ScenarioLabel.Benign,
                var other => throw new FormatException($"label: expected malicious or benign, found '{other}'"),
            },
            Origin: Text(root, "origin") == "on_demand" ? ScenarioOrigin.OnDemand : ScenarioOrigin.Scheduled,
            HostId: Text(root, "host_id"),
            HostName: Text(root, "host_name"),
            UserName: Text(root, "user_name"),
            UserId: Text(root, "user_id"),
            FirstEventTime: Time(root, "first_event_time"),
            LastEventTime: Time(root, "last_event_time"),
            EventIds: root.GetProperty("event_ids").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            EvidenceEventIds: root.GetProperty("evidence_event_ids").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            Description: Text(root, "description"),
            Complete: root.GetProperty("complete").GetBoolean());
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"{name}: expected a string");

    private static long Time(JsonElement root, string name) =>
        EcsTimestamp.TryParse(Text(root, name), out var nanos) ? nanos : throw new FormatException($"{name}: expected an ISO-8601 time");
}
