using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;

namespace Vigil.Detection;

/// <summary>
/// Writes an Alert as the documents Elastic Security writes to its alerts index (alerts-as-data field names,
/// kibana.alert.*), so Kafka Connect's Elasticsearch sink can index Vigil's alerts beside Elastic's own. A single-event
/// alert is one document: the source event's ECS fields plus kibana.alert.*. A sequence alert is, as Kibana writes it,
/// one building-block document per evidence event (kibana.alert.building_block_type "default", group index = step)
/// and one sequence document holding the fields every event shares, all joined by kibana.alert.group.id. The source
/// event's own event.* moves to kibana.alert.original_event.* and event.kind becomes "signal". Times are ISO-8601.
/// </summary>
public static class EcsAlertDocuments
{
    private const string RuleCategory = "Event Correlation Rule";

    /// <summary>The documents of <paramref name="alert"/>, each one compact JSON object (one NDJSON line).</summary>
    public static IReadOnlyList<string> Write(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var events = alert.Evidence.Select(e => e.Event).ToList();
        if (events.Count <= 1)
        {
            var source = events.Count == 1 ? Source(events[0]) : new JsonObject();
            return [Finish(alert, source, alert.Id, ancestors: events, groupIndex: null, buildingBlock: alert.Rule.BuildingBlockType)];
        }

        var documents = new List<string>();
        var groupId = Hash(alert.Id, "group");
        var shell = events.Select(Source).Aggregate(Intersect);
        for (var step = 0; step < events.Count; step++)
        {
            var block = Source(events[step]);
            SetPath(block, "kibana.alert.group.id", groupId);
            documents.Add(Finish(alert, block, Hash(alert.Id, step.ToString(System.Globalization.CultureInfo.InvariantCulture)), [events[step]], step, "default"));
        }

        SetPath(shell, "kibana.alert.group.id", groupId);
        documents.Add(Finish(alert, shell, alert.Id, events, groupIndex: null, alert.Rule.BuildingBlockType));
        return documents;
    }

    private static string Finish(Alert alert, JsonObject document, string uuid, IReadOnlyList<TelemetryEvent> ancestors, int? groupIndex, string buildingBlock)
    {
        if (document["event"] is JsonObject original)
        {
            document.Remove("event");
            SetPath(document, "kibana.alert.original_event", original);
        }

        var detected = EcsTimestamp.Format(alert.DetectionTime);
        document["@timestamp"] = detected;
        SetPath(document, "event.kind", "signal");
        var rule = alert.Rule;
        var fields = new Dictionary<string, JsonNode?>
        {
            ["kibana.alert.uuid"] = uuid,
            ["kibana.alert.status"] = "active",
            ["kibana.alert.workflow_status"] = "open",
            ["kibana.alert.reason"] = alert.Reason,
            ["kibana.alert.original_time"] = EcsTimestamp.Format(ancestors.Count > 0 ? ancestors[0].Timestamp : alert.FirstEventTime),
            ["kibana.alert.start"] = detected,
            ["kibana.alert.last_detected"] = detected,
            ["kibana.alert.severity"] = rule.Severity,
            ["kibana.alert.risk_score"] = rule.RiskScore,
            ["kibana.alert.depth"] = 1,
            ["kibana.alert.ancestors"] = new JsonArray(ancestors.Select(e => (JsonNode)new JsonObject
            {
                ["id"] = e.Event?.Id ?? string.Empty,
                ["type"] = "event",
                ["index"] = e.Event?.Dataset is { Length: > 0 } dataset ? $"logs-{dataset}-default" : string.Empty,
                ["depth"] = 0,
            }).ToArray()),
            ["kibana.alert.rule.uuid"] = rule.Id,
            ["kibana.alert.rule.rule_id"] = rule.Id,
            ["kibana.alert.rule.name"] = rule.Name,
            ["kibana.alert.rule.description"] = rule.Description,
            ["kibana.alert.rule.version"] = rule.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["kibana.alert.rule.type"] = rule.Type.Length > 0 ? rule.Type : "eql",
            ["kibana.alert.rule.category"] = RuleCategory,
            ["kibana.alert.rule.severity"] = rule.Severity,
            ["kibana.alert.rule.risk_score"] = rule.RiskScore,
            ["kibana.alert.rule.tags"] = new JsonArray(rule.Tags.Select(t => (JsonNode)t).ToArray()),
            ["kibana.alert.rule.producer"] = "siem",
            ["kibana.alert.rule.consumer"] = "siem",
            ["kibana.alert.rule.rule_type_id"] = $"siem.{(rule.Type.Length > 0 ? rule.Type : "eql")}Rule",
            ["kibana.alert.rule.threat"] = Threat(rule),
            ["kibana.alert.rule.parameters"] = new JsonObject { ["analytic_id"] = rule.AnalyticId },
            ["vigil.alert.id"] = alert.Id,
            ["vigil.alert.producer"] = alert.Producer,
        };
        if (groupIndex is { } index)
        {
            fields["kibana.alert.group.index"] = index;
        }

        if (buildingBlock.Length > 0)
        {
            fields["kibana.alert.building_block_type"] = buildingBlock;
        }

        foreach (var (path, value) in fields)
        {
            SetPath(document, path, value);
        }

        return document.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonArray Threat(Rule rule) =>
        new(rule.Tactics.Select(t => (JsonNode)new JsonObject
        {
            ["framework"] = "MITRE ATT&CK",
            ["tactic"] = new JsonObject { ["id"] = t },
            ["technique"] = new JsonArray(rule.Techniques.Where(id => !id.Contains('.', StringComparison.Ordinal))
                .Select(id => (JsonNode)new JsonObject
                {
                    ["id"] = id,
                    ["subtechnique"] = new JsonArray(rule.Techniques.Where(s => s.StartsWith(id + ".", StringComparison.Ordinal)).Select(s => (JsonNode)new JsonObject { ["id"] = s }).ToArray()),
                }).ToArray()),
        }).ToArray());

    private static JsonObject Source(TelemetryEvent e) => JsonNode.Parse(EcsJson.Format(e))!.AsObject();

    /// <summary>The fields two documents share with equal values, as Kibana's sequence alert keeps them.</summary>
    private static JsonObject Intersect(JsonObject left, JsonObject right)
    {
        var shared = new JsonObject();
        foreach (var (name, value) in left)
        {
            if (!right.TryGetPropertyValue(name, out var other) || value is null || other is null)
            {
                continue;
            }

            if (value is JsonObject a && other is JsonObject b)
            {
                var inner = Intersect(a, b);
                if (inner.Count > 0)
                {
                    shared[name] = inner;
                }
            }
            else if (JsonNode.DeepEquals(value, other))
            {
                shared[name] = value.DeepClone();
            }
        }

        return shared;
    }

    private static void SetPath(JsonObject document, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var current = document;
        foreach (var part in parts[..^1])
        {
            if (current[part] is not JsonObject next)
            {
                next = new JsonObject();
                current[part] = next;
            }

            current = next;
        }

        current[parts[^1]] = value;
    }

    private static string Hash(string alertId, string part) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(alertId + "\n" + part)).AsSpan(0, 16));
}
