using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.Benchmarks;

/// <summary>A handler that does nothing: what remains is the cost of consuming and decoding.</summary>
internal sealed class DiscardingHandler : IRecordBatchHandler<TelemetryEvent>
{
    public Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken) => Task.CompletedTask;
}
