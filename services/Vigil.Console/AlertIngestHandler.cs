using Vigil.Contracts.Alerts;
using Vigil.Messaging;

namespace Vigil.Console;

/// <summary>Stores every alert the console's consumer group reads; the loop commits a batch only after it is stored.</summary>
internal sealed class AlertIngestHandler(AlertStore store) : IRecordBatchHandler<Alert>
{
    public Task HandleAsync(IReadOnlyList<ConsumedRecord<Alert>> batch, CancellationToken cancellationToken) =>
        store.AddAsync(batch.Select(r => r.Value).Where(a => a.Id.Length > 0).ToList());
}
