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

    /// <summary>Source field name → how many times it could not be kept at all (beyond the unmapped map's bound).</summary>
    public Dictionary<string, int> DroppedFields { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Field name → how many values could not be coerced to the contract's type (typed reason: the value is kept in the
    /// unmapped map instead, and the event still goes through when it has a time, a host and a category).
    /// </summary>
    public Dictionary<string, int> InvalidValues { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Contract fields the adapter filled from another field because the source left them out, keyed
    /// "<c>target from source</c>" (e.g. "host.id from agent.id" on Elastic Endpoint 7.x) → how many events.
    /// </summary>
    public Dictionary<string, int> DerivedFields { get; } = new(StringComparer.Ordinal);

    /// <summary>How many documents the record held (events plus rejections), for per-format counts.</summary>
    public int Documents => Events.Count + Rejections.Count;

    public void CountUnmapped(string field, int times = 1) =>
        UnmappedFields[field] = UnmappedFields.GetValueOrDefault(field) + times;

    public void CountDropped(string field) => DroppedFields[field] = DroppedFields.GetValueOrDefault(field) + 1;

    public void CountInvalid(string field) => InvalidValues[field] = InvalidValues.GetValueOrDefault(field) + 1;

    public void CountDerived(string derivation) => DerivedFields[derivation] = DerivedFields.GetValueOrDefault(derivation) + 1;
}
