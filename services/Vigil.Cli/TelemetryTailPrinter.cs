using Vigil.Contracts;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.Cli;

/// <summary>
/// Prints consumed telemetry. A batch counts as handled once its lines are written and flushed, so
/// offsets never run ahead of what the reader of stdout has seen.
/// </summary>
public sealed class TelemetryTailPrinter(TailFormat format, TextWriter output) : IRecordBatchHandler<TelemetryEvent>
{
    private readonly TelemetryRateSummary summary = new();

    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            switch (format)
            {
                case TailFormat.Ids:
                    await output.WriteLineAsync(record.Value.Event?.Id);
                    break;
                case TailFormat.Events:
                    await output.WriteLineAsync($"[p{record.Partition:D2}@{record.Offset}] {TelemetryLine.Describe(record.Value)}");
                    break;
                case TailFormat.Summary:
                    summary.Add(record.Value, record.Timestamp);
                    break;
            }
        }

        if (format == TailFormat.Summary && summary.Due(DateTimeOffset.UtcNow) is { } line)
        {
            await output.WriteLineAsync(line);
        }

        await output.FlushAsync(cancellationToken);
    }
}
