using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Vigil.Testing;

/// <summary>
/// Samples what the process allocates, by type, from the runtime's allocation ticks (one per ~100 KB allocated):
/// where the bytes per event come from, without an external profiler.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> bytesByType = new(StringComparer.Ordinal);

    public bool Enabled { get; set; }

    /// <summary>Forgets what was sampled so far (a new measurement window starts).</summary>
    public void Reset() => bytesByType.Clear();

    /// <summary>The types with the most sampled bytes, largest first, with their share of the sampled total.</summary>
    public IEnumerable<(string Type, double Share)> Top(int count)
    {
        var total = (double)Math.Max(1, bytesByType.Values.Sum());
        return bytesByType.OrderByDescending(t => t.Value).Take(count).Select(t => (t.Key, t.Value / total));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Enabled || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var type = eventData.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t] as string ?? "?" : "?";
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        bytesByType.AddOrUpdate(type, amount, (_, known) => known + amount);
    }
}
