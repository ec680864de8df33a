using System.Text;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Messaging;

namespace Vigil.Cli;

/// <summary>Prints consumed alerts: who, what, which evidence; or ids, or ECS JSON for tools.</summary>
public sealed class AlertTailPrinter(TailFormat format, TextWriter output) : IRecordBatchHandler<Alert>
{
    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<Alert>> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            await output.WriteLineAsync(format switch
            {
                TailFormat.Ids => record.Value.Id,
                TailFormat.Json => EcsJson.Format(record.Value),
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
