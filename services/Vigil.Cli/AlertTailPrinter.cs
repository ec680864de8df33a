using System.Text;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Detection;
using Vigil.Messaging;

namespace Vigil.Cli;

/// <summary>
/// Prints consumed alerts: who, what, which evidence; or ids, or ECS JSON for tools, or Elastic Security alert
/// documents; with a sink topic, the alert documents go to Kafka (keyed by host.id) instead of the terminal.
/// </summary>
public sealed class AlertTailPrinter(TailFormat format, TextWriter output, ITopicPublisher<string>? sink = null) : IRecordBatchHandler<Alert>
{
    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<Alert>> batch, CancellationToken cancellationToken)
    {
        if (sink is not null)
        {
            // Acknowledged before the batch's offsets are stored, so a crash re-sends rather than loses documents;
            // the documents' kibana.alert.uuid is deterministic, so an Elasticsearch sink keyed on it overwrites repeats.
            var documents = batch.SelectMany(r => EcsAlertDocuments.Write(r.Value).Select(d => KeyValuePair.Create(r.Value.Host.Id, d))).ToList();
            await sink.PublishBatchAsync(documents, cancellationToken);
            return;
        }

        foreach (var record in batch)
        {
            await output.WriteLineAsync(format switch
            {
                TailFormat.Ids => record.Value.Id,
                TailFormat.Json => EcsJson.Format(record.Value),
                TailFormat.Ecs => string.Join(Environment.NewLine, EcsAlertDocuments.Write(record.Value)),
                _ => Describe(record.Value),
            });
        }

        await output.FlushAsync(cancellationToken);
    }

    /// <summary>A multi-line, analyst-readable rendering of one alert.</summary>
    public static string Describe(Alert alert)
    {
        var text = new StringBuilder()
            .Append("ALERT ").Append(alert.Rule.Severity.ToUpperInvariant()).Append(' ')
            .Append(alert.Rule.AnalyticId).Append(" \"").Append(alert.Rule.Name).Append("\" on ")
            .Append(alert.Host.Name.Length > 0 ? alert.Host.Name : alert.Host.Id)
            .Append(" user ").Append(alert.User.Name.Length > 0 ? alert.User.Name : "?")
            .Append(" at ").Append(TelemetryLine.FormatTime(alert.FirstEventTime));
        if (alert.Rule.Techniques.Count > 0)
        {
            text.Append(" [").Append(string.Join(", ", alert.Rule.Techniques)).Append(']');
        }

        text.AppendLine().Append("  why: ").AppendLine(alert.Reason);
        foreach (var evidence in alert.Evidence)
        {
            var e = evidence.Event;
            text.Append("  ").Append(evidence.Step + 1).Append(". ").Append(TelemetryLine.FormatTime(e.Timestamp)).Append(' ')
                .Append(TelemetryLine.Summarize(e));
            if (e.Process?.CommandLine is { Length: > 0 } commandLine)
            {
                text.Append(" | ").Append(commandLine);
            }

            text.Append(" (event ").Append(e.Event?.Id).AppendLine(")");
        }

        return text.Append("  alert id ").Append(alert.Id).Append(" by ").Append(alert.Producer).ToString();
    }
}
