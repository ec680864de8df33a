using Vigil.Contracts.Telemetry;

namespace Vigil.Adapters;

/// <summary>
/// What one raw record became: canonical events, the documents that could not be used (with a typed reason each), and
/// the field names the contract could not hold (kept on the event's unmapped map and counted per name).
/// </summary>
public sealed class AdaptResult
{
    public List<TelemetryEvent> Events { get; } = [];

    public List<AdaptRejection> Rejections { get; } = [];

    /// <summary>Source field name → how many times it was seen and not mapped to a contract field.</summary>
    public Dictionary<string, int> UnmappedFields { get; } = new(StringComparer.Ordinal);
}
