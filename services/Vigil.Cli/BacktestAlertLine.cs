using System.Text;
using System.Text.Json;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;

namespace Vigil.Cli;

/// <summary>
/// One backtest alert as a line of JSON: <c>{"alert_id","rule_id","rule_name","analytic","severity","risk_score",
/// "host_id","host_name","user_name","first_event_time","last_event_time" (ISO-8601 UTC),"join_keys":{field:value},
/// "evidence_event_ids":[...] (step order),"reason","evidence":[ECS events, step order]}</c>.
/// </summary>
public static class BacktestAlertLine
{
    public static string Format(Alert alert)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, EcsJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("alert_id", alert.Id);
            writer.WriteString("rule_id", alert.Rule.Id);
            writer.WriteString("rule_name", alert.Rule.Name);
            writer.WriteString("analytic", alert.Rule.AnalyticId);
            writer.WriteString("severity", alert.Rule.Severity);
            writer.WriteNumber("risk_score", alert.Rule.RiskScore);
            writer.WriteString("host_id", alert.Host.Id);
            writer.WriteString("host_name", alert.Host.Name);
            writer.WriteString("user_name", alert.User.Name);
            writer.WriteString("first_event_time", EcsTimestamp.Format(alert.FirstEventTime));
            writer.WriteString("last_event_time", EcsTimestamp.Format(alert.LastEventTime));
            writer.WriteStartObject("join_keys");
            foreach (var key in alert.JoinKeys)
            {
                writer.WriteString(key.Field, key.Value);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("evidence_event_ids");
            foreach (var evidence in alert.Evidence)
            {
                writer.WriteStringValue(evidence.Event.Event?.Id);
            }

            writer.WriteEndArray();
            writer.WriteString("reason", alert.Reason);
            writer.WriteStartArray("evidence");
            foreach (var evidence in alert.Evidence)
            {
                EcsJson.Write(writer, evidence.Event);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
