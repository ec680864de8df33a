using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>
/// The event time a rule's windows run on: its <c>timestamp_override</c> field (e.g. event.ingested) when the event has
/// it, else @timestamp, as Elastic falls back when the override field is missing.
/// </summary>
public sealed class EventClock
{
    private readonly FieldAccessor<TelemetryEvent>? overrideField;

    public EventClock(string? timestampOverride)
    {
        TimestampField = timestampOverride ?? "@timestamp";
        if (timestampOverride is not null)
        {
            var schema = TelemetrySchemas.Protobuf;
            overrideField = schema.CreateAccessor(schema.Fields.Require(timestampOverride), timestampOverride);
        }
    }

    /// <summary>The field windows read first.</summary>
    public string TimestampField { get; }

    /// <summary>Epoch nanoseconds of <paramref name="e"/> on this clock.</summary>
    public long TimeOf(TelemetryEvent e)
    {
        if (overrideField is not null && overrideField(e) is { Kind: EqlValueKind.Integer } value && value.AsInteger > 0)
        {
            return value.AsInteger;
        }

        return e.Timestamp;
    }
}
